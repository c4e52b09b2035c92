"""One fine-tuning run: tokenize the dataset, train LoRA, export the adapter to GGUF, track it in W&B.

Tokenizing runs here (the product's venv: llama-cpp-python renders the chat template exactly as the
worker does); training and export run in the fine-tuning venv (torch, transformers, peft, gguf),
which scripts/setup builds in ~/.cache/local_llm_assist/ft-venv. The run folder holds:

    config.json           what was run (base, data hash and seed, hyper-parameters)
    train.tokens.jsonl    the examples as token ids, answer start marked
    log.jsonl             one line per step: loss, tokens/s, ETA
    adapter/              peft's adapter;  checkpoint/  for --resume
    adapter.gguf          the llama.cpp adapter (what the worker loads)
    wandb/                the W&B run (offline unless asked otherwise)
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from toolkit.models import DEFAULT_LLM, REPO_ROOT, SMOKE_LLM, file_sha256
from toolkit.wandb_runs import start_run

from .examples import encode_file

BASES = {"qwen": DEFAULT_LLM, "smollm": SMOKE_LLM}
PROJECT = "local-llm-assist-finetune"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "local_llm_assist"
FINETUNE_PYTHON = CACHE / "ft-venv" / "bin" / "python"
ADAPTER_FILE = "adapter.gguf"


@dataclass(frozen=True)
class RunConfig:
    data: Path
    base: str
    out: Path
    steps: int = 0
    epochs: int = 1
    lr: float = 2e-4
    rank: int = 8
    alpha: float = 16.0
    seed: int = 0
    threads: int = 0
    save_every: int = 50
    resume: bool = False

    @property
    def gguf(self) -> Path:
        return BASES[self.base]


def finetune(config: RunConfig, online: bool = False) -> Path:
    """Run it all; returns the adapter file."""
    config.out.mkdir(parents=True, exist_ok=True)
    tokens = config.out / "train.tokens.jsonl"
    examples = encode_file(config.data / "train.jsonl", tokens, config.gguf)
    valid = _encode_valid(config)
    tracked = {**_plain(config), **data_identity(config.data), "examples": len(examples)}
    (config.out / "config.json").write_text(json.dumps(tracked, indent=2) + "\n")
    _in_finetune_venv("toolkit.finetune.train", *_train_arguments(config, tokens, valid))
    adapter = config.out / ADAPTER_FILE
    export = ["--gguf", str(config.gguf), "--adapter", str(config.out / "adapter"), "--out", str(adapter)]
    _in_finetune_venv("toolkit.finetune.export", *export)
    log_run(config.out, tracked, adapter, online)
    return adapter


def data_identity(data: Path) -> dict[str, Any]:
    """The dataset's hash (its files' contents) and the generator's seed, when its manifest names one."""
    files = sorted(path for path in data.iterdir() if path.suffix in (".jsonl", ".json"))
    hashes = {path.name: file_sha256(path) for path in files}
    manifest = data / "manifest.json"
    seed = json.loads(manifest.read_text()).get("seed") if manifest.exists() else None
    return {"data_sha256": hashes, "data_seed": seed}


def _encode_valid(config: RunConfig) -> Path | None:
    source = config.data / "valid.jsonl"
    if not source.exists():
        return None
    target = config.out / "valid.tokens.jsonl"
    encode_file(source, target, config.gguf)
    return target


def _train_arguments(config: RunConfig, tokens: Path, valid: Path | None) -> list[str]:
    arguments = {
        "--gguf": config.gguf,
        "--data": tokens,
        "--out": config.out,
        "--steps": config.steps,
        "--epochs": config.epochs,
        "--lr": config.lr,
        "--rank": config.rank,
        "--alpha": config.alpha,
        "--seed": config.seed,
        "--threads": config.threads,
        "--save-every": config.save_every,
    }
    flat = [str(item) for pair in arguments.items() for item in pair]
    flat += ["--valid", str(valid)] if valid is not None else []
    return flat + (["--resume"] if config.resume else [])


def _in_finetune_venv(module: str, *arguments: str) -> None:
    if not FINETUNE_PYTHON.exists():
        raise SystemExit(f"no fine-tuning venv at {FINETUNE_PYTHON}: run scripts/setup")
    subprocess.run([str(FINETUNE_PYTHON), "-m", module, *arguments], cwd=REPO_ROOT, check=True)


def _plain(config: RunConfig) -> dict[str, Any]:
    return {key: str(value) if isinstance(value, Path) else value for key, value in asdict(config).items()}


def read_log(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines() if line.strip()]


def log_run(out: Path, config: dict[str, Any], adapter: Path, online: bool) -> Path:
    """The W&B run: config, the loss curve step by step, and the adapter and validation numbers as summary."""
    run = start_run(project=PROJECT, name=out.name, folder=out, online=online, config=config, job_type="finetune")
    try:
        for line in read_log(out):
            run.log({"loss": line["loss"], "tokens_per_s": line["tokens_per_s"]}, step=line["step"])
        run.summary.update(_summary(out, adapter))
        run_dir = Path(run.dir).parent
    finally:
        run.finish()
    return run_dir


def _summary(out: Path, adapter: Path) -> dict[str, Any]:
    log = read_log(out)
    summary: dict[str, Any] = {
        "final_loss": log[-1]["loss"],
        "tokens_per_s": log[-1]["tokens_per_s"],
        "adapter_sha256": file_sha256(adapter),
        "adapter_bytes": adapter.stat().st_size,
    }
    valid = out / "valid.json"
    if valid.exists():
        summary.update(json.loads(valid.read_text()))
    return summary
