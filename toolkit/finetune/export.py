"""A peft LoRA adapter as a llama.cpp adapter file (GGUF), written with the `gguf` package.

The format is what llama.cpp's convert_lora_to_gguf.py writes: general.type "adapter",
adapter.type "lora", adapter.lora.alpha, the base model's architecture, and for each adapted
weight `<gguf weight name>.lora_a` (rank x inputs) and `.lora_b` (outputs x rank). llama.cpp
scales the product by alpha / rank, as peft does.

One subtlety: llama.cpp's llama architecture stores the q and k projections with their rows
permuted for its rotary embedding, and transformers undoes that when it loads a GGUF. Trained on
the unpermuted weights, lora_b's rows for q and k get the same permutation back.

    python -m toolkit.finetune.export --gguf BASE.gguf --adapter DIR/adapter --out adapter.gguf
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

# transformers' module names -> llama.cpp's tensor names, for the layers LoRA adapts.
GGUF_NAMES = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
PEFT_NAME = re.compile(r"base_model\.model\.model\.layers\.(\d+)\.(.+)\.lora_([AB])\.weight$")
PERMUTED_ARCHITECTURES = {"llama"}
ROTARY_HEADS = {"self_attn.q_proj": "heads", "self_attn.k_proj": "kv_heads"}  # the head count each is permuted by


def base_metadata(gguf_path: Path) -> dict[str, Any]:
    """Architecture and head counts of the base model file."""
    from gguf import GGUFReader

    reader = GGUFReader(str(gguf_path))

    def field(key: str) -> Any:
        return reader.fields[key].contents()

    arch = str(field("general.architecture"))
    heads = int(field(f"{arch}.attention.head_count"))
    kv_key = f"{arch}.attention.head_count_kv"
    return {"arch": arch, "heads": heads, "kv_heads": int(field(kv_key)) if kv_key in reader.fields else heads}


def permute_rows(weights: Any, heads: int) -> Any:
    """llama.cpp's row order for a rotary projection (convert_hf_to_gguf's `permute`)."""
    rows = weights.shape[0]
    return weights.reshape(heads, 2, rows // heads // 2, *weights.shape[1:]).swapaxes(1, 2).reshape(weights.shape)


def gguf_tensors(adapter: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    """The adapter's tensors under llama.cpp's names, float32, q/k rows permuted where the architecture wants."""
    import numpy as np

    tensors = {}
    for name, weights in adapter.items():
        match = PEFT_NAME.match(name)
        if match is None or match.group(2) not in GGUF_NAMES:
            raise ValueError(f"unexpected tensor in the adapter: {name}")
        layer, module, side = match.groups()
        data = np.ascontiguousarray(weights, dtype=np.float32)
        if (
            side == "B"
            and meta["arch"] in PERMUTED_ARCHITECTURES
            and module in ("self_attn.q_proj", "self_attn.k_proj")
        ):
            data = np.ascontiguousarray(permute_rows(data, meta["heads" if module.endswith("q_proj") else "kv_heads"]))
        tensors[f"blk.{layer}.{GGUF_NAMES[module]}.weight.lora_{side.lower()}"] = data
    return tensors


def export(gguf_path: Path, adapter_dir: Path, out: Path) -> Path:
    import gguf
    from safetensors.numpy import load_file

    meta = base_metadata(gguf_path)
    alpha = float(json.loads((adapter_dir / "adapter_config.json").read_text())["lora_alpha"])
    tensors = gguf_tensors(load_file(str(adapter_dir / "adapter_model.safetensors")), meta)
    writer = gguf.GGUFWriter(str(out), meta["arch"])
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, alpha)
    for name in sorted(tensors):
        writer.add_tensor(name, tensors[name])
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gguf", type=Path, required=True, help="the base model file the adapter was trained on")
    parser.add_argument("--adapter", type=Path, required=True, help="peft's adapter folder")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    print(export(args.gguf, args.adapter, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
