"""The weight conversions tried in evals/results/README.md ("Weights converted for CPU speed").

    PYTHONPATH=. .venv/bin/python evals/results/weights-conversion/convert.py SOURCE.gguf OUT.gguf RECIPE

all         ftype IQ4_NL with llama.cpp's own per-tensor rules (quick-iq4nl)
mixed       only the q5_0 tensors but token_embd become IQ4_NL; every other tensor is copied (quick-weights-iq4nl-mixed)
ffn-middle  only ffn_gate and ffn_up of layers 1-22 become IQ4_NL (quick-weights-iq4nl-ffn-middle)
q8          only the q5_0 tensors but token_embd become Q8_0 (decode steps only, steps.py)
embd-q4     only token_embd (the tied output layer) becomes Q4_0 (decode steps only, steps.py)

A tensor whose override names its own type is copied, not re-quantized.
"""

from __future__ import annotations

import ctypes
import re
import struct
import sys
from pathlib import Path
from typing import BinaryIO

import llama_cpp

from custom_components.local_llm_assist.engine.gguf_header import HEADER_BYTES, _read, _skip, _string

LLAMA_FTYPE_MOSTLY_IQ4_NL = 25
LLAMA_FTYPE_MOSTLY_Q8_0 = 7
GGML_TYPE_Q4_0 = 2
GGML_TYPE_Q5_0 = 6
GGML_TYPE_Q8_0 = 8
FTYPES = {"q8": LLAMA_FTYPE_MOSTLY_Q8_0}  # the type converted tensors get; IQ4_NL for the others


def tensor_types(path: Path) -> dict[str, int]:
    """Each tensor's name and ggml type, read from the GGUF header."""
    with path.open("rb") as handle:
        tensor_count, key_count = struct.unpack_from("<QQ", _read(handle, HEADER_BYTES), 8)
        for _ in range(key_count):
            _string(handle)
            _skip(handle, struct.unpack("<I", _read(handle, 4))[0])
        return dict(_tensor(handle) for _ in range(tensor_count))


def _tensor(handle: BinaryIO) -> tuple[str, int]:
    name = _string(handle)
    (dimensions,) = struct.unpack("<I", _read(handle, 4))
    _read(handle, 8 * dimensions)
    kind, _offset = struct.unpack("<IQ", _read(handle, 12))
    return name, kind


def converted(recipe: str, name: str, kind: int) -> bool:
    if recipe in ("mixed", "q8"):
        return kind == GGML_TYPE_Q5_0 and name != "token_embd.weight"
    if recipe == "embd-q4":
        return False  # token_embd's type is set on its own
    return bool(re.search(r"ffn_(gate|up)", name)) and not re.match(r"blk\.(0|23)\.", name)


def main() -> None:
    source, out, recipe = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = FTYPES.get(recipe, LLAMA_FTYPE_MOSTLY_IQ4_NL)
    params.allow_requantize = True
    params.nthread = 2
    if recipe != "all":
        types = tensor_types(source)
        kept = [(name, kind) for name, kind in types.items() if kind != 0 and not converted(recipe, name, kind)]
        overrides = (llama_cpp.llama_model_tensor_override * (len(kept) + 1))()
        for slot, (name, kind) in zip(overrides, kept, strict=False):
            slot.pattern, slot.type = f"^{re.escape(name)}$".encode(), kind
        params.tt_overrides = ctypes.cast(overrides, ctypes.POINTER(llama_cpp.llama_model_tensor_override))
        params.token_embedding_type = GGML_TYPE_Q4_0 if recipe == "embd-q4" else types["token_embd.weight"]
        params.output_tensor_type = types.get("output.weight", GGML_TYPE_Q8_0)
    status = llama_cpp.llama_model_quantize(str(source).encode(), str(out).encode(), ctypes.byref(params))
    sys.exit(status)


if __name__ == "__main__":
    main()
