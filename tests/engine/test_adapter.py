"""A LoRA adapter on top of a model: what the worker says about a missing, foreign or wrong adapter,
and that its evaluated prompts are kept apart from the base model's.

The pipeline test (tests/test_finetune_pipeline.py) trains a real adapter and loads it; here the
adapters are files that cannot work, each for its own reason.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from custom_components.local_llm_assist.engine.data import LlmSettings
from custom_components.local_llm_assist.engine.errors import ModelLoadError
from custom_components.local_llm_assist.engine.prefix_states import cache_folder
from custom_components.local_llm_assist.engine.worker import WorkerClient
from toolkit.models import SMOKE_LLM


async def load_error(adapter: Path) -> ModelLoadError:
    settings = LlmSettings(str(SMOKE_LLM), context_size=256, adapter_path=str(adapter))
    worker = WorkerClient(request_timeout=60)
    try:
        with pytest.raises(ModelLoadError) as caught:
            await worker.load_llm(settings)
    finally:
        await worker.stop()
    return caught.value


async def test_a_missing_adapter_is_named_as_such(tmp_path: Path) -> None:
    error = await load_error(tmp_path / "gone.gguf")
    assert error.code == "adapter_not_found"
    assert "gone.gguf" in str(error)


async def test_a_file_that_is_not_gguf_is_refused_before_native_code(tmp_path: Path) -> None:
    adapter = tmp_path / "adapter.gguf"
    adapter.write_bytes(b"PK\x03\x04 a zip, not an adapter")
    assert (await load_error(adapter)).code == "adapter_invalid"


async def test_a_model_file_given_as_adapter_is_refused(tmp_path: Path) -> None:
    """A GGUF that is a model, not a LoRA adapter: llama.cpp refuses it, the worker lives on."""
    assert (await load_error(SMOKE_LLM)).code == "adapter_invalid"


def test_saved_prompts_of_base_and_adapter_are_kept_apart(tmp_path: Path) -> None:
    adapter = tmp_path / "adapter.gguf"
    shutil.copyfile(SMOKE_LLM, adapter)  # any file: only its identity counts here
    base = cache_folder(str(SMOKE_LLM), 512)
    assert cache_folder(str(SMOKE_LLM), 512, str(adapter)) != base
    assert cache_folder(str(SMOKE_LLM), 512, "") == base


async def test_a_gguf_cut_short_in_its_metadata_is_refused(tmp_path: Path) -> None:
    adapter = tmp_path / "adapter.gguf"
    adapter.write_bytes(SMOKE_LLM.read_bytes()[:100])
    assert (await load_error(adapter)).code == "adapter_invalid"
