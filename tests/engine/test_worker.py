"""The model worker with a real model: isolation, timeouts, crashes, restarts, clean stop."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from dataclasses import replace
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
from toolkit.models import DEFAULT_LLM, SMOKE_LLM

from ..helpers import process_exists
from .test_server_engines import turn

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


async def test_a_generation_past_its_time_limit_stops_and_the_worker_stays_warm(client: WorkerClient) -> None:
    pid = client.pid
    client.request_timeout = 0.5
    with pytest.raises(WorkerTimeoutError, match="stopped it"):
        await client.generate(SETTINGS, LONG_ANSWER)
    assert client.pid == pid and client.consecutive_failures == 1  # counts towards the health alert
    client.request_timeout = 30
    again = await client.generate(SETTINGS, QUESTION)  # same prompt: the evaluated prefix is still there
    assert again.text and again.cached_prompt_tokens >= again.prompt_tokens - 1
    assert client.restarts == 0


async def test_a_caller_that_gives_up_leaves_the_worker_warm(client: WorkerClient) -> None:
    pid = client.pid
    request = asyncio.ensure_future(client.generate(SETTINGS, LONG_ANSWER))
    await asyncio.sleep(0.5)
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    result = await client.generate(SETTINGS, QUESTION)
    assert result.text.startswith('{"reply": "') and client.pid == pid and client.restarts == 0


async def test_a_hung_worker_that_ignores_the_cancel_is_killed_and_replaced(client: WorkerClient) -> None:
    pid = client.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    client.request_timeout = 0.5
    with pytest.raises(WorkerTimeoutError, match="worker restarted"):
        await client.generate(SETTINGS, QUESTION)
    assert not process_exists(pid)
    client.request_timeout = 30
    assert (await client.generate(SETTINGS, QUESTION)).text
    assert client.restarts == 1


async def _new_worker_pid(client: WorkerClient, old: set[int]) -> int:
    for _ in range(1200):
        if (pid := client.pid) is not None and pid not in old:
            return pid
        await asyncio.sleep(0.05)
    raise AssertionError("no new worker started within a minute")


async def _crash_a_generation(client: WorkerClient, killed: set[int]) -> None:
    """Start a long generation and kill whichever worker serves it (a restarted one, after a crash)."""
    request = asyncio.ensure_future(client.generate(SETTINGS, LONG_ANSWER))
    pid = await _new_worker_pid(client, killed)
    await asyncio.sleep(0.3)
    killed.add(pid)
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(WorkerCrashedError):
        await request


async def test_repeated_failures_raise_and_clear_the_alert(client: WorkerClient) -> None:
    killed: set[int] = set()
    for attempt in range(CRASHES_BEFORE_ALERT):
        assert client.health_events == []  # type: ignore[attr-defined]
        await _crash_a_generation(client, killed)
        assert client.consecutive_failures == attempt + 1
    assert client.health_events == [False]  # type: ignore[attr-defined]
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


async def test_worker_threads_spin_briefly_unless_the_user_chose(client: WorkerClient) -> None:
    """Spinning OpenMP threads make every token wait out time slices when another process holds a core;
    sleeping at once makes every barrier a wake-up."""
    assert client.pid is not None
    environment = Path(f"/proc/{client.pid}/environ").read_bytes().split(b"\0")
    assert b"OMP_WAIT_POLICY=PASSIVE" in environment
    assert b"GOMP_SPINCOUNT=300" in environment
    chosen = worker_environment({"OMP_WAIT_POLICY": "ACTIVE", "GOMP_SPINCOUNT": "0"})
    assert (chosen["OMP_WAIT_POLICY"], chosen["GOMP_SPINCOUNT"]) == ("ACTIVE", "0")


async def test_jump_forward_decoding_answers_as_llama_cpp_own_grammar_sampler() -> None:
    """Forced tokens are evaluated in batches instead of sampled one by one: the same tool call at
    temperature 0 (the default model; the tiny smoke model answers this one in words, and a free
    reply may word itself differently once the grammar's opening is forced in other tokens)."""
    worker = WorkerClient(request_timeout=300)
    answers = {}
    try:
        for decoding in ("jump_forward", "llama_grammar"):
            settings = LlmSettings(model_path=str(DEFAULT_LLM), context_size=4096, decoding=decoding)
            await worker.load_llm(settings)
            request = replace(turn("switch off the porch lamp"), saved_prompts=False)
            answers[decoding] = await worker.generate(settings, request)
    finally:
        await worker.stop()
    fast, baseline = answers["jump_forward"], answers["llama_grammar"]
    assert fast.text == baseline.text
    assert fast.text.startswith('{"name": "HassTurnOff"'), fast.text
    assert fast.forced_tokens and fast.forced_tokens > 0 and baseline.forced_tokens == 0
    assert fast.sampled_tokens and fast.sampled_tokens < baseline.completion_tokens
