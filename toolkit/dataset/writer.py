"""The dataset on disk: train.jsonl and valid.jsonl (split by home) and manifest.json."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

from custom_components.local_llm_assist.engine.prompt import PROMPT_VERSION
from toolkit.harness import REPO_ROOT

from .ha_sentences import ATTRIBUTION
from .render import dumps

VALID_EVERY = 10  # every tenth home is for validation: its homes are never seen in training


def is_valid_home(index: int) -> bool:
    return index % VALID_EVERY == VALID_EVERY - 1


def write_split(path: Path, rows: list[dict[str, Any]]) -> str:
    path.write_text("".join(dumps(row) + "\n" for row in rows), encoding="utf-8")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(
    settings: dict[str, Any], splits: dict[str, list[dict[str, Any]]], hashes: dict[str, str], extra: dict[str, Any]
) -> dict[str, Any]:
    every = [row for rows in splits.values() for row in rows]
    return {
        **settings,
        "git_commit": _git_commit(),
        "prompt_version": PROMPT_VERSION,
        "files": {
            f"{name}.jsonl": {"examples": len(rows), "homes": len({r["home"] for r in rows}), "sha256": hashes[name]}
            for name, rows in splits.items()
        },
        "kinds": dict(sorted(Counter(row["kind"] for row in every).items())),
        "families": dict(sorted(Counter(row["family"] for row in every).items())),
        "intents": dict(sorted(Counter(_intent(row) for row in every).items())),
        **extra,
        "attribution": f"Sentences of the ha_template family are sampled from {ATTRIBUTION}.",
    }


def _intent(row: dict[str, Any]) -> str:
    """The tool the target calls, or "reply"."""
    target = json.loads(row["messages"][-1]["content"])
    return str(target.get("name", "reply"))


def _git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"


def write_manifest(path: Path, content: dict[str, Any]) -> None:
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
