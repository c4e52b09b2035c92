"""Evaluated prompts saved beside the model: a restarted worker does not read the static prompt again."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from custom_components.local_llm_assist.engine import prefix_states
from custom_components.local_llm_assist.engine.data import GenerationResult, LlmSettings
from custom_components.local_llm_assist.engine.prefix_states import CACHE_FOLDER
from custom_components.local_llm_assist.engine.worker import WorkerClient
from toolkit.models import SMOKE_LLM

from .test_server_engines import turn


@pytest.fixture
def model(tmp_path: Path) -> Path:
    """The smoke model seen from a folder of its own, so its saved states start empty."""
    link = tmp_path / SMOKE_LLM.name
    link.symlink_to(SMOKE_LLM)
    return link


async def answer(settings: LlmSettings, text: str, *, saved_prompts: bool = True) -> GenerationResult:
    """A fresh worker (as after a Home Assistant restart) answering one request, then stopped."""
    worker = WorkerClient(request_timeout=300)
    try:
        await worker.load_llm(settings)
        return await worker.generate(settings, replace(turn(text), saved_prompts=saved_prompts))
    finally:
        await worker.stop()


def saved_states(model: Path) -> list[Path]:
    return sorted((model.parent / CACHE_FOLDER).rglob("*.state"))


async def test_a_restarted_worker_answers_without_reading_the_static_prompt_again(model: Path) -> None:
    settings = LlmSettings(model_path=str(model), context_size=4096)
    first = await answer(settings, "turn on the kitchen light")
    assert first.cached_prompt_tokens == 0 and len(saved_states(model)) == 1

    after_restart = await answer(settings, "switch off the porch lamp")
    assert after_restart.cached_prompt_tokens >= 0.9 * after_restart.prompt_tokens

    unsaved = await answer(
        LlmSettings(model_path=str(model), context_size=4096), "switch off the porch lamp", saved_prompts=False
    )
    assert unsaved.cached_prompt_tokens == 0
    assert after_restart.text == unsaved.text  # the restored state answers exactly as a fresh evaluation


async def test_llama_cpp_own_sampler_reads_and_restores_the_prompt_the_same_way(model: Path) -> None:
    """The fallback decoder too: without it, a restart on a big home re-read ~2,000 tokens in one
    call nothing could interrupt, past the time limit, and the worker was killed, again and again."""
    settings = LlmSettings(model_path=str(model), context_size=4096, decoding="llama_grammar")
    first = await answer(settings, "turn on the kitchen light")
    assert first.cached_prompt_tokens == 0 and len(saved_states(model)) == 1
    after_restart = await answer(settings, "switch off the porch lamp")
    assert after_restart.cached_prompt_tokens >= 0.9 * after_restart.prompt_tokens


async def test_a_damaged_saved_state_is_ignored_and_replaced(model: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = LlmSettings(model_path=str(model), context_size=4096)
    expected = await answer(settings, "turn on the kitchen light")
    (state,) = saved_states(model)
    whole = state.stat().st_size
    state.write_bytes(state.read_bytes()[: whole // 3])

    with caplog.at_level(logging.DEBUG):
        result = await answer(settings, "turn on the kitchen light")
    assert result.text == expected.text and result.cached_prompt_tokens == 0
    assert "does not load" in caplog.text
    assert saved_states(model) == [state] and state.stat().st_size == whole  # saved again, whole


async def test_a_different_context_size_never_meets_the_states_of_another(model: Path) -> None:
    await answer(LlmSettings(model_path=str(model), context_size=4096), "turn on the kitchen light")
    other = await answer(LlmSettings(model_path=str(model), context_size=2048), "turn on the kitchen light")
    assert other.cached_prompt_tokens == 0 and len(saved_states(model)) == 2


def test_the_least_recently_used_states_of_any_identity_go_beyond_the_size_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prefix_states, "MAX_CACHE_BYTES", 250)
    cache = tmp_path / CACHE_FOLDER
    ages = {"old-context/a": 400, "this-model/b": 300, "this-model/c": 200, "this-model/d": 100}
    for name, age in ages.items():
        state = cache / f"{name}.state"
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_bytes(b"s" * 100)
        state.with_suffix(".tokens.json").write_text("[1, 2, 3]")
        os.utime(state, (time.time() - age, time.time() - age))

    prefix_states.PrefixStates(cache / "this-model")._drop_least_recently_used()

    assert sorted(str(path.relative_to(cache)) for path in cache.rglob("*.state")) == [
        "this-model/c.state",
        "this-model/d.state",
    ]
    assert not (cache / "old-context" / "a.tokens.json").exists()
