"""Generate the fine-tuning dataset: scripts/dataset --seed N --homes H --out DIR [--prompt full|compact]."""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from custom_components.local_llm_assist.engine.prompt import PROMPT_STYLES

from .devset import DEV_SET, dev_sentences
from .generate import Tally, home_rows, homes
from .writer import is_valid_home, manifest, write_manifest, write_split

REQUESTS_PER_HOME = 40


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/dataset", description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--homes", type=int, default=200)
    parser.add_argument("--requests", type=int, default=REQUESTS_PER_HOME, help="requests per home")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--prompt", choices=PROMPT_STYLES, default="compact")
    parser.add_argument("--dev-set", type=Path, default=DEV_SET, help="sentences kept out of the data")
    args = parser.parse_args(argv)
    if not args.dev_set.exists():
        parser.error(f"the dev set {args.dev_set} is missing: its sentences must be kept out (--dev-set PATH)")
    return args


async def generate(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    excluded = dev_sentences(args.dev_set)
    tally = Tally()
    splits: dict[str, list[dict[str, Any]]] = {"train": [], "valid": []}
    for index, (home, rng) in enumerate(homes(args.seed, args.homes)):
        rows = await home_rows(home, rng, args.requests, args.prompt, excluded, tally)
        splits["valid" if is_valid_home(index) else "train"] += rows
    args.out.mkdir(parents=True, exist_ok=True)
    hashes = {name: write_split(args.out / f"{name}.jsonl", rows) for name, rows in splits.items()}
    settings = {"seed": args.seed, "homes": args.homes, "requests_per_home": args.requests, "prompt": args.prompt}
    extra = {
        "variants": dict(sorted(tally.variants.items())),
        "dev_sentences_excluded": tally.excluded_dev_sentences,
        "seconds": round(time.perf_counter() - started, 1),  # informative only: not part of any hash
    }
    content = manifest(settings, splits, hashes, extra)
    write_manifest(args.out / "manifest.json", content)
    return content


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # Home Assistant's start-up notices, once per home
    content = asyncio.run(generate(args))
    files = ", ".join(f"{name}: {info['examples']}" for name, info in content["files"].items())
    print(f"{args.out}: {files} examples in {content['seconds']} s")


if __name__ == "__main__":
    main()
