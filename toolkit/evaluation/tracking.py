"""Weights & Biases logging of a run: config, summary metrics and a table of every case.

Offline by default: the run is written under the report folder, and `wandb sync <folder>` uploads
it later; `python -m toolkit.evaluation.tracking REPORT.json FOLDER` logs a report written
earlier. scripts/eval logs online when WANDB_API_KEY is set (unless --wandb-offline). The key is
read by wandb itself from the environment; it is never put in the config, the report or a log line.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
from pathlib import Path
from typing import Any

from toolkit.wandb_runs import start_run

PROJECT = "local-llm-assist-eval"
LOG_HEADER_BYTES = 7  # ":W&B", a magic number and the format version
LOG_BLOCK_BYTES = 32768
RECORD_HEADER_BYTES = 7  # checksum, length, kind
RECORD_FULL, RECORD_LAST = 1, 4
CASE_COLUMNS: list[str | int] = ["id", "category", "text", "outcome", "detail", "reply", "calls", "changed", "total_ms"]


def summary_metrics(metrics: dict[str, Any]) -> dict[str, float]:
    """Flat numbers for the W&B summary (and for comparing runs in its UI)."""
    summary = {
        "accuracy": metrics["accuracy"]["rate"],
        "accuracy_low": metrics["accuracy"]["low"],
        "accuracy_high": metrics["accuracy"]["high"],
        "sentences": metrics["accuracy"]["n"],
        "false_action_rate": metrics["false_action"]["rate"],
        "invalid_output_rate": metrics["invalid_output"]["rate"],
    }
    for stage, numbers in metrics["latency"].items():
        summary[f"latency_{stage}_p50_ms"] = numbers["p50_ms"]
        summary[f"latency_{stage}_p95_ms"] = numbers["p95_ms"]
    for name, rate in metrics["by_category"].items():
        summary[f"accuracy/{name}"] = rate["rate"]
    summary.update({f"tokens/{name}": float(value) for name, value in metrics["tokens"].items()})
    summary.update({f"outcomes/{name}": float(count) for name, count in metrics["outcomes"].items()})
    return summary


def case_rows(report: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            *(str(case.get(column, "")) for column in ("id", "category", "text", "outcome", "detail", "reply")),
            json.dumps(case.get("calls", []), default=str),
            ", ".join(case.get("changed", [])),
            case.get("stages", {}).get("total_ms"),
        ]
        for case in report["cases"]
    ]


def log_run(report: dict[str, Any], folder: Path, online: bool = False) -> Path:
    """Log the run; returns the wandb run folder (…/wandb/offline-run-… when offline)."""
    import wandb  # heavy, and only needed when tracking is on

    run_info = report["run"]
    config = {key: value for key, value in run_info.items() if key not in ("command",)}
    run = start_run(
        project=PROJECT, name=run_info["name"], folder=folder, online=online, config=config, job_type="eval"
    )
    try:
        run.log({"cases": wandb.Table(columns=CASE_COLUMNS, data=case_rows(report))})
        run.summary.update(summary_metrics(report["metrics"]))
        run_dir = Path(run.dir).parent
    finally:
        run.finish()
    return run_dir


def read_offline_summary(run_dir: Path) -> dict[str, Any]:
    """The summary metrics a run folder holds, read from its .wandb log (to check what was logged)."""
    from wandb.proto import wandb_internal_pb2

    summary: dict[str, Any] = {}
    for payload in _log_records(next(run_dir.glob("*.wandb"))):
        record = wandb_internal_pb2.Record()  # type: ignore[attr-defined]  # generated protobuf code
        record.ParseFromString(payload)
        if record.WhichOneof("record_type") == "summary":
            for item in record.summary.update:
                summary[item.key or "/".join(item.nested_key)] = json.loads(item.value_json)
    return summary


def _log_records(path: Path) -> list[bytes]:
    """Records of a W&B log: LevelDB's log format (32 KiB blocks, records split across them)."""
    data = path.read_bytes()
    records, parts, position = [], [], LOG_HEADER_BYTES
    while position + RECORD_HEADER_BYTES <= len(data):
        left_in_block = LOG_BLOCK_BYTES - position % LOG_BLOCK_BYTES
        if left_in_block < RECORD_HEADER_BYTES:
            position += left_in_block  # the block's tail is padding
            continue
        _checksum, length, kind = struct.unpack_from("<IHB", data, position)
        position += RECORD_HEADER_BYTES
        parts.append(data[position : position + length])
        position += length
        if kind in (RECORD_FULL, RECORD_LAST):
            records.append(b"".join(parts))
            parts = []
    return records


def main(argv: list[str] | None = None) -> int:
    """Log a report written earlier: python -m toolkit.evaluation.tracking REPORT.json FOLDER [--online]."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--online", action="store_true")
    args = parser.parse_args(argv)
    print(log_run(json.loads(args.report.read_text()), args.folder, online=args.online))
    return 0


if __name__ == "__main__":
    sys.exit(main())
