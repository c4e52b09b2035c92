"""scripts/finetune: train a LoRA adapter for the product's model on a generated dataset."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .run import BASES, RunConfig, finetune


def parse(argv: list[str] | None) -> tuple[RunConfig, bool]:
    parser = argparse.ArgumentParser(prog="scripts/finetune", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="dataset folder: train.jsonl, valid.jsonl")
    parser.add_argument("--base", choices=sorted(BASES), default="qwen")
    parser.add_argument("--out", type=Path, required=True, help="run folder")
    parser.add_argument("--steps", type=int, default=0, help="optimizer steps, one example each (0: --epochs)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--alpha", type=float, default=16.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="0: PyTorch's default (every core)")
    parser.add_argument("--save-every", type=int, default=50, help="steps between checkpoints")
    parser.add_argument("--resume", action="store_true", help="continue from the run folder's checkpoint")
    parser.add_argument("--wandb-online", action="store_true", help="log online (WANDB_API_KEY); default offline")
    args = parser.parse_args(argv)
    online = args.wandb_online
    del args.wandb_online
    return RunConfig(**vars(args)), online


def main(argv: list[str] | None = None) -> int:
    config, online = parse(argv)
    print(finetune(config, online))
    return 0


if __name__ == "__main__":
    sys.exit(main())
