"""Catalog entries with a LoRA adapter shipped inside the integration, and the prompt style they want."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from custom_components.local_llm_assist.engine.catalog import INTEGRATION_DIR, load_catalog
from toolkit.models import file_sha256

BASE = {"id": "m", "role": "llm", "name": "M", "file": "m.gguf", "license": "Apache-2.0"}


def catalog_with(tmp_path: Path, **extra: object) -> Path:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"models": [{**BASE, **extra}]}))
    return path


def test_an_adapter_is_found_inside_the_integration(tmp_path: Path) -> None:
    adapter = {"file": "adapters/home.gguf", "sha256": "ab" * 32, "scale": 0.5}
    [model] = load_catalog(catalog_with(tmp_path, adapter=adapter, prompt_style="compact"))
    assert model.adapter is not None
    assert model.adapter.path == INTEGRATION_DIR / "adapters" / "home.gguf"
    assert (model.adapter.sha256, model.adapter.scale, model.prompt_style) == ("ab" * 32, 0.5, "compact")


def test_plain_models_have_no_adapter_and_the_full_prompt(tmp_path: Path) -> None:
    [model] = load_catalog(catalog_with(tmp_path))
    assert model.adapter is None and model.prompt_style == "full"


def test_an_unknown_prompt_style_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="prompt style"):
        load_catalog(catalog_with(tmp_path, prompt_style="tiny"))


def test_every_shipped_model_loads() -> None:
    """The shipped catalog parses with the new fields; any adapter it names is there, with its sha256."""
    for model in load_catalog():
        if model.adapter is not None:
            assert file_sha256(model.adapter.path) == model.adapter.sha256
