"""The dev evaluation set's sentences, used only to keep them out of the training data."""

from __future__ import annotations

import json
from pathlib import Path

from custom_components.local_llm_assist.engine.text import normalize
from toolkit.harness import REPO_ROOT

DEV_SET = REPO_ROOT.parent / "shared" / "evaldata" / "intents_en.jsonl"


def dev_sentences(path: Path = DEV_SET) -> frozenset[str]:
    """Every dev-set sentence, normalised (engine/text.normalize: case, punctuation and spacing differ)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(normalize(json.loads(line)["text"]) for line in lines if line.strip())
