"""Read a W&B run folder back, the way `wandb sync` would: the run log and the logged tables.

The run log (`run-<id>.wandb`) is a sequence of protobuf records in LevelDB's log format:
a 7-byte header, then 32 KiB blocks of chunks (crc32c: 4 bytes, length: 2, type: 1, data).
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wandb.proto import wandb_internal_pb2

BLOCK = 32 * 1024
FILE_HEADER = 7
CHUNK_HEADER = 7
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4


@dataclass
class RunFolder:
    path: Path
    history: list[dict[str, Any]] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    finished: bool = False

    def table_rows(self, key: str = "turns") -> list[dict[str, Any]]:
        rows = []
        for table_file in sorted((self.path / "files" / "media" / "table").glob(f"{key}_*.table.json")):
            table = json.loads(table_file.read_text())
            rows += [dict(zip(table["columns"], row, strict=True)) for row in table["data"]]
        return rows

    def all_text(self) -> str:
        """Every file of the run as text, to search for what must not be there."""
        return "\n".join(path.read_bytes().decode(errors="replace") for path in self.path.rglob("*") if path.is_file())


def run_folders(root: Path) -> list[Path]:
    return sorted(path for path in (root / "wandb").glob("*run-*") if path.is_dir())


def read_run(folder: Path) -> RunFolder:
    run = RunFolder(folder)
    (log_file,) = folder.glob("run-*.wandb")
    for data in _records(log_file.read_bytes()):
        record = wandb_internal_pb2.Record()
        record.ParseFromString(data)
        kind = record.WhichOneof("record_type")
        if kind == "history":
            run.history.append(
                {item.key or "/".join(item.nested_key): json.loads(item.value_json) for item in record.history.item}
            )
        elif kind in ("run", "config"):
            updates = record.run.config.update if kind == "run" else record.config.update
            run.config.update({item.key: json.loads(item.value_json) for item in updates})
        elif kind == "exit":
            run.finished = True
    return run


def _records(content: bytes) -> list[bytes]:
    records, pending = [], b""
    offset = FILE_HEADER
    while offset + CHUNK_HEADER <= len(content):
        room = BLOCK - offset % BLOCK
        if room < CHUNK_HEADER:
            offset += room  # the rest of a block too small for a chunk header is padding
            continue
        _, length, kind = struct.unpack("<IHB", content[offset : offset + CHUNK_HEADER])
        data = content[offset + CHUNK_HEADER : offset + CHUNK_HEADER + length]
        offset += CHUNK_HEADER + length
        if kind == FULL:
            records.append(data)
        elif kind == FIRST:
            pending = data
        elif kind == MIDDLE:
            pending += data
        elif kind == LAST:
            records.append(pending + data)
    return records
