"""LoRA training on token files (runs in the fine-tuning venv: torch, transformers, peft).

The examples arrive already tokenized by llama.cpp with the model's own chat template
(toolkit/finetune/examples.py), so training sees exactly the tokens the worker evaluates. The
base weights come from the same GGUF the product serves, dequantized by transformers' GGUF
loader. Only the answer's tokens are scored: the logits are computed for those positions alone,
which also skips most of the output layer's cost (the vocabulary is large, the answer short).

    python -m toolkit.finetune.train --gguf MODEL.gguf --data tokens.jsonl --out DIR --steps N

Each step appends a line to DIR/log.jsonl (loss, tokens/s, ETA); DIR/checkpoint holds the adapter
and optimizer state every --save-every steps, and --resume continues from it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# What LoRA adapts: attention and MLP projections of every layer (names shared by qwen2 and llama).
TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
ADAPTER_FOLDER = "adapter"  # peft's safetensors adapter
CHECKPOINT_FOLDER = "checkpoint"
LOG_FILE = "log.jsonl"


@dataclass(frozen=True)
class Example:
    tokens: list[int]
    target_start: int  # tokens[target_start:] are the answer


def read_examples(path: Path) -> list[Example]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [Example(row["tokens"], row["target_start"]) for row in rows]


def load_model(gguf: Path, rank: int, alpha: float) -> Any:
    """The GGUF's weights, dequantized to float32, with fresh LoRA layers.

    float32, not bfloat16: without AVX512-BF16 or AMX, PyTorch's bfloat16 matrix multiply on the CPU
    is tens of times slower than float32 (measured: 0.4 vs 22 GFLOPS on this project's 2-core VM).
    """
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    config = LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=0.0, target_modules=TARGET_MODULES, bias="none")
    return get_peft_model(base, config)


def answer_loss(model: Any, example: Example) -> Any:
    """Mean cross-entropy of the answer's tokens given everything before them."""
    import torch

    ids = torch.tensor([example.tokens])
    hidden = model.base_model.model.model(input_ids=ids).last_hidden_state
    # The hidden state at position i predicts token i + 1.
    scored = hidden[0, example.target_start - 1 : len(example.tokens) - 1]
    logits = model.base_model.model.lm_head(scored)
    targets = ids[0, example.target_start :]
    return torch.nn.functional.cross_entropy(logits.float(), targets)


def save_checkpoint(model: Any, optimizer: Any, step: int, out: Path) -> None:
    import torch

    folder = out / CHECKPOINT_FOLDER
    model.save_pretrained(str(folder))
    torch.save({"optimizer": optimizer.state_dict(), "step": step}, folder / "state.pt")


def resume(model: Any, optimizer: Any, out: Path) -> int:
    """Load the checkpoint's adapter and optimizer into the fresh ones; returns the steps already done."""
    import torch
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    folder = out / CHECKPOINT_FOLDER
    set_peft_model_state_dict(model, load_file(str(folder / "adapter_model.safetensors")))
    state = torch.load(folder / "state.pt")
    optimizer.load_state_dict(state["optimizer"])
    return int(state["step"])


def train(args: argparse.Namespace) -> None:
    import torch

    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    examples = read_examples(args.data)
    steps = args.steps or args.epochs * len(examples)
    order = _order(len(examples), steps, args.seed)
    model = load_model(args.gguf, args.rank, args.alpha)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=args.lr, weight_decay=0.0)
    args.out.mkdir(parents=True, exist_ok=True)
    done = resume(model, optimizer, args.out) if args.resume else 0
    log = (args.out / LOG_FILE).open("a")
    started, tokens_seen = time.monotonic(), 0
    model.train()
    for step in range(done, steps):
        example = examples[order[step]]
        loss = answer_loss(model, example)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        tokens_seen += len(example.tokens)
        elapsed = time.monotonic() - started
        rate = tokens_seen / elapsed
        eta = elapsed / (step + 1 - done) * (steps - step - 1)
        line = {
            "step": step + 1,
            "loss": loss.item(),
            "tokens": len(example.tokens),
            "tokens_per_s": rate,
            "eta_s": eta,
        }
        log.write(json.dumps(line) + "\n")
        log.flush()
        print(f"step {step + 1}/{steps} loss {loss.item():.4f} {rate:.0f} tokens/s ETA {eta / 60:.1f} min", flush=True)
        if args.save_every and (step + 1) % args.save_every == 0:
            save_checkpoint(model, optimizer, step + 1, args.out)
    model.save_pretrained(str(args.out / ADAPTER_FOLDER))
    if args.valid is not None:
        _write_valid_loss(model, read_examples(args.valid), args.out)


def _order(count: int, steps: int, seed: int) -> list[int]:
    """Shuffled passes over the examples, the same for a given seed (so a resumed run continues the same order)."""
    rng, order = random.Random(seed), list[int]()
    while len(order) < steps:
        epoch = list(range(count))
        rng.shuffle(epoch)
        order += epoch
    return order[:steps]


def _write_valid_loss(model: Any, examples: list[Example], out: Path) -> None:
    import torch

    model.eval()
    with torch.no_grad():
        losses = [answer_loss(model, example).item() for example in examples]
    (out / "valid.json").write_text(json.dumps({"valid_loss": sum(losses) / len(losses), "examples": len(losses)}))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gguf", type=Path, required=True, help="the base model file")
    parser.add_argument("--data", type=Path, required=True, help="training tokens (examples.py)")
    parser.add_argument("--valid", type=Path, help="validation tokens: their answer loss is written at the end")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=0, help="optimizer steps (one example each); 0: --epochs")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--alpha", type=float, default=16.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="0: PyTorch's default")
    parser.add_argument("--save-every", type=int, default=0)
    parser.add_argument("--resume", action="store_true")
    return parser.parse_args(argv)


if __name__ == "__main__":
    train(parse_args(sys.argv[1:]))
