"""Reading a GGUF file's metadata keys in Python, before any native code sees the file.

llama.cpp accepts a model file as a LoRA adapter without a word (it finds no adapter tensors and
applies nothing), so whether a file is an adapter is read here, from its `general.type` key.
Layout (little-endian): magic, version u32, tensor count u64, key count u64, then each key as a
string (u64 length + UTF-8), a value type u32 and the value.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

SCALARS = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}  # type -> bytes
STRING, ARRAY = 8, 9
HEADER_BYTES = 4 + 4 + 8 + 8


class GgufHeaderError(ValueError):
    """The file ends or is laid out otherwise than GGUF says."""


def string_fields(path: Path, wanted: set[str]) -> dict[str, str]:
    """The wanted keys whose values are strings; absent keys are left out."""
    found: dict[str, str] = {}
    with path.open("rb") as handle:
        header = _read(handle, HEADER_BYTES)
        (key_count,) = struct.unpack_from("<Q", header, 16)
        for _ in range(key_count):
            key = _string(handle)
            (kind,) = struct.unpack("<I", _read(handle, 4))
            if kind == STRING and key in wanted:
                found[key] = _string(handle)
                if len(found) == len(wanted):
                    break
            else:
                _skip(handle, kind)
    return found


def _read(handle: BinaryIO, size: int) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise GgufHeaderError("the file ends inside its metadata")
    return data


def _string(handle: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", _read(handle, 8))
    return _read(handle, length).decode("utf-8", errors="replace")


def _skip(handle: BinaryIO, kind: int) -> None:
    if kind in SCALARS:
        _read(handle, SCALARS[kind])
    elif kind == STRING:
        _string(handle)
    elif kind == ARRAY:
        item_kind, count = struct.unpack("<IQ", _read(handle, 12))
        for _ in range(count):
            _skip(handle, item_kind)
    else:
        raise GgufHeaderError(f"unknown value type {kind}")
