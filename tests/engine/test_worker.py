"""The model worker with a real model: isolation, timeouts, crashes, restarts, clean stop."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from custom_components.local_llm_assist.engine.crash import CrashCause
from custom_components.local_llm_assist.engine.data import ChatMessage, GenerationRequest, LlmSettings
from custom_components.local_llm_assist.engine.errors import (
    ModelLoadError,
    WorkerCrashedError,
    WorkerStoppedError,
    WorkerTimeoutError,
)
from custom_components.local_llm_assist.engine.grammar import build_grammar
from custom_components.local_llm_assist.engine.probe import (
    PROBE_MIN_PROMPT_TOKENS,
    PROBE_REQUEST,
    check_probe_result,
    probe_settings,
)
from custom_components.local_llm_assist.engine.worker import CRASHES_BEFORE_ALERT, WorkerClient, worker_environment

from ..helpers import process_exists
from ..models import DEFAULT_LLM, SMOKE_LLM

SETTINGS = LlmSettings(model_path=str(SMOKE_LLM), context_size=512)
QUESTION = GenerationRequest(
    messages=[ChatMessage("user", "Say hello.")], grammar=build_grammar([]), temperature=0.0, max_tokens=24
)
# A grammar that cannot end early makes a generation that is long for real (hundreds of tokens).
LONG_ANSWER = GenerationRequest(
    messages=QUESTION.messages, grammar='root ::= ("yes " [0-9]){600}', temperature=0.0, max_tokens=2000
)


@pytest.fixture
async def client() -> AsyncIterator[WorkerClient]:
    health: list[bool] = []
    worker = WorkerClient(request_timeout=30, on_health_change=health.append)
    worker.health_events = health  # type: ignore[attr-defined]
    await worker.load_llm(SETTINGS)
    yield worker
    await worker.stop()


async def test_generation_runs_in_a_separate_process(client: WorkerClient) -> None:
    result = await client.generate(SETTINGS, QUESTION)
    assert result.text.startswith('{"reply": "')
    assert client.pid is not None and client.pid != os.getpid()
    assert result.prompt_tokens > 0 and result.completion_tokens > 0


async def test_a_multi_token_prompt_evaluates_on_this_machine() -> None:
    """The set-up probe on the default model: a batched prompt of a few hundred tokens, then an answer.

    This is what died with SIGILL on a CPU with AMX when llama.cpp was built with -march=native.
    """
    settings = probe_settings(str(DEFAULT_LLM))
    worker = WorkerClient()
    try:
        await worker.load_llm(settings)
        result = await worker.generate(settings, PROBE_REQUEST)
    finally:
        await worker.stop()
    assert PROBE_MIN_PROMPT_TOKENS <= result.prompt_tokens < settings.context_size - PROBE_REQUEST.max_tokens
    assert result.completion_tokens >= 1 and result.text.strip()
    check_probe_result(result)
    assert worker.restarts == 0  # no crash along the way


async def test_second_request_reuses_the_prompt_prefix(client: WorkerClient) -> None:
    await client.generate(SETTINGS, QUESTION)
    again = await client.generate(SETTINGS, QUESTION)
    assert again.cached_prompt_tokens >= again.prompt_tokens - 1


async def test_crash_mid_request_fails_that_request_then_recovers(client: WorkerClient) -> None:
    pid = client.pid
    assert pid is not None
    request = asyncio.ensure_future(client.generate(SETTINGS, LONG_ANSWER))
    await asyncio.sleep(0.3)
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(WorkerCrashedError, match=r"exited \(killed, likely out of memory \(SIGKILL\)\)") as caught:
        await request
    assert caught.value.cause is CrashCause.KILLED and client.last_crash is CrashCause.KILLED
    result = await client.generate(SETTINGS, QUESTION)  # restarted, model reloaded
    assert result.text
    assert client.pid not in (None, pid)
    assert client.restarts == 1


async def test_hung_generation_times_out_and_kills_the_worker(client: WorkerClient) -> None:
    pid = client.pid
    assert pid is not None
    client.request_timeout = 0.5
    with pytest.raises(WorkerTimeoutError):
        await client.generate(SETTINGS, LONG_ANSWER)
    assert not process_exists(pid)
    client.request_timeout = 30
    assert (await client.generate(SETTINGS, QUESTION)).text


async def test_repeated_failures_raise_and_clear_the_alert(client: WorkerClient) -> None:
    client.request_timeout = 0.5
    for attempt in range(CRASHES_BEFORE_ALERT):
        assert client.health_events == []  # type: ignore[attr-defined]
        with pytest.raises(WorkerTimeoutError):
            await client.generate(SETTINGS, LONG_ANSWER)
        assert client.consecutive_failures == attempt + 1
    assert client.health_events == [False]  # type: ignore[attr-defined]
    client.request_timeout = 30
    await client.ping()  # comes back after the backoff
    assert client.health_events == [False, True]  # type: ignore[attr-defined]


async def test_stop_ends_the_process_and_refuses_new_work() -> None:
    worker = WorkerClient()
    await worker.load_llm(SETTINGS)
    pid = worker.pid
    assert pid is not None
    await worker.stop()
    assert not process_exists(pid)
    with pytest.raises(WorkerStoppedError):
        await worker.generate(SETTINGS, QUESTION)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (None, "model_not_found"),
        (b"not a model at all", "model_not_gguf"),
        (b"GGUF" + b"\0" * 64, "model_load_failed"),
    ],
)
async def test_bad_model_files_fail_with_a_precise_code(tmp_path: Path, content: bytes | None, code: str) -> None:
    path = tmp_path / "model.gguf"
    if content is not None:
        path.write_bytes(content)
    worker = WorkerClient()
    try:
        with pytest.raises(ModelLoadError) as caught:
            await worker.load_llm(LlmSettings(model_path=str(path)))
        assert caught.value.code == code
        await worker.ping()  # a refused model leaves a working worker
    finally:
        await worker.stop()


async def test_worker_threads_wait_passively_unless_the_user_chose(client: WorkerClient) -> None:
    """Spinning OpenMP threads make every token wait out time slices when another process holds a core."""
    assert client.pid is not None
    environment = Path(f"/proc/{client.pid}/environ").read_bytes().split(b"\0")
    assert b"OMP_WAIT_POLICY=PASSIVE" in environment
    assert worker_environment({"OMP_WAIT_POLICY": "ACTIVE"})["OMP_WAIT_POLICY"] == "ACTIVE"
