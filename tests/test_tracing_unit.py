"""The trace model, the turn recorder and the bounded queue, without Home Assistant."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from custom_components.local_llm_assist import compat
from custom_components.local_llm_assist.engine.data import GenerationResult
from custom_components.local_llm_assist.tracing import recorder
from custom_components.local_llm_assist.tracing.recorder import Tracer, TurnRecorder
from custom_components.local_llm_assist.tracing.settings import WANDB_REQUIREMENT, ModelInfo, TracingSettings
from custom_components.local_llm_assist.tracing.trace import TABLE_COLUMNS, TurnTrace, table_row
from custom_components.local_llm_assist.tracing.wandb_writer import TraceQueue

from .helpers import CollectingWriter

ROOT = Path(__file__).resolve().parent.parent
KEY = "k" * 40


def make_tracer(include_text: bool = False) -> tuple[Tracer, CollectingWriter]:
    writer = CollectingWriter()
    settings = TracingSettings(enabled=True, include_text=include_text, api_key=KEY)
    return Tracer(settings, ModelInfo("model.gguf", "/models/model.gguf", "ab" * 32), writer), writer


def start(
    tracer: Tracer, text: str = "turn on the kitchen light", device_id: str | None = "satellite-1"
) -> TurnRecorder:
    return tracer.start_turn(
        conversation_id="c1", text=text, language="en", device_id=device_id, satellite_id="assist_satellite.kitchen"
    )


GENERATION = GenerationResult('{"name":"HassTurnOn"}', 300, 280, 18, 40.0, 250.0)
ACTION_DONE = {"response_type": "action_done", "data": {"success": [{"name": "Kitchen Light"}], "failed": []}}


def test_a_command_turn_is_traced_as_acted_with_its_spans() -> None:
    tracer, writer = make_tracer()
    turn = start(tracer)
    turn.prompt("system prompt", "root ::= call")
    turn.generation(GENERATION)
    turn.tool_call("HassTurnOn", {"name": "Kitchen Light"}, ACTION_DONE, 12.5)
    turn.reply("Done: Kitchen Light.")
    trace = turn.finish()

    assert writer.traces == [trace]
    assert trace.outcome == "acted" and trace.succeeded
    assert (trace.conversation_id, trace.device_id, trace.satellite_id, trace.language) == (
        "c1",
        "satellite-1",
        "assist_satellite.kitchen",
        "en",
    )
    assert trace.prompt_version and trace.prompt_hash and trace.grammar_hash
    assert trace.tool_calls[0].name == "HassTurnOn" and trace.tool_calls[0].arguments == {"name": "Kitchen Light"}
    assert trace.tool_calls[0].error is None and trace.total_ms > 0
    metrics = trace.metrics()
    assert metrics["llm/prompt_tokens"] == 300 and metrics["llm/cache_reuse"] == pytest.approx(280 / 300)
    assert metrics["turn/success"] == 1 and metrics["turn/acted"] == 1 and metrics["tools/calls"] == 1
    row = dict(zip(TABLE_COLUMNS, table_row(trace, "ab" * 32), strict=True))
    assert row["outcome"] == "acted" and row["model_sha256"] == "ab" * 32 and "HassTurnOn" in row["tool_calls"]


def test_without_text_logging_no_words_are_kept() -> None:
    tracer, _ = make_tracer(include_text=False)
    turn = start(tracer, "add milk to my shopping list")
    tracer_result = {"response_type": "action_done", "speech": {"plain": {"speech": "Added milk"}}}
    turn.generation(GENERATION)
    turn.tool_call("HassShoppingListAddItem", {"item": "milk"}, tracer_result, 3.0)
    turn.reply("Added milk")
    trace = turn.finish()
    assert trace.request is None and trace.reply is None and trace.request_chars == len("add milk to my shopping list")
    assert trace.generations[0].output is None and trace.tool_calls[0].result is None
    assert "Added" not in str(tracer.recent[-1])


def test_with_text_logging_the_words_are_kept() -> None:
    tracer, _ = make_tracer(include_text=True)
    turn = start(tracer, "what is the capital of France?")
    turn.generation(GENERATION)
    turn.reply("Paris.")
    trace = turn.finish()
    assert trace.request == "what is the capital of France?" and trace.reply == "Paris."
    assert trace.outcome == "answered"


@pytest.mark.parametrize(
    ("error", "outcome"),
    [("device_not_found", "no_match"), ("invalid_model_output", "no_match"), ("worker_timeout", "error")],
)
def test_failures_are_no_match_or_error(error: str, outcome: str) -> None:
    tracer, _ = make_tracer()
    turn = start(tracer)
    turn.failed(error)
    trace = turn.finish(failed=True)
    assert (trace.outcome, trace.error, trace.succeeded) == (outcome, error, False)


def test_a_failed_tool_is_an_error_span_and_not_an_action() -> None:
    tracer, _ = make_tracer()
    turn = start(tracer)
    turn.tool_call("HassTurnOn", {"name": "x"}, {"error": "HomeAssistantError", "error_text": "unavailable"}, 2.0)
    turn.reply("It did not work.")
    trace = turn.finish()
    assert trace.tool_calls[0].error == "HomeAssistantError: unavailable"
    assert trace.outcome == "answered" and trace.metrics()["tools/errors"] == 1


def test_an_untraced_turn_goes_nowhere() -> None:
    turn = TurnRecorder.untraced()
    turn.generation(GENERATION)
    assert turn.finish().generations  # recorded in memory, submitted to nobody


def test_transcript_joins_the_next_turn_of_the_same_text_and_device() -> None:
    tracer, _ = make_tracer(include_text=True)
    tracer.record_transcript(
        "Turn on the kitchen light.", audio_seconds=2.1, stt_ms=480.0, model="tiny.en", device_id="satellite-1"
    )
    other_device = start(tracer, device_id="satellite-2").finish()
    assert other_device.stt is None
    trace = start(tracer, device_id="satellite-1").finish()
    assert trace.stt is not None
    assert (trace.stt.model, trace.stt.audio_seconds, trace.stt.duration_ms) == ("tiny.en", 2.1, 480.0)
    assert trace.stt.transcript == "Turn on the kitchen light."
    assert trace.metrics()["stt/ms"] == 480.0
    assert start(tracer, device_id="satellite-1").finish().stt is None  # used once


def test_same_words_from_two_satellites_at_once_keep_their_own_transcription() -> None:
    """Both transcriptions finish before either turn starts: each turn gets the one of its own
    pipeline run (its conversation), not the latest of the same words."""
    tracer, _ = make_tracer()
    for conversation_id, stt_ms in (("kitchen-satellite", 310.0), ("office-satellite", 520.0)):
        tracer.record_transcript(
            "turn off the lights", audio_seconds=1.5, stt_ms=stt_ms, model="tiny.en", conversation_id=conversation_id
        )
    for conversation_id, stt_ms in (("kitchen-satellite", 310.0), ("office-satellite", 520.0)):
        turn = tracer.start_turn(
            conversation_id=conversation_id,
            text="turn off the lights",
            language="en",
            device_id=None,
            satellite_id=None,
        )
        span = turn.finish().stt
        assert span is not None and span.duration_ms == stt_ms, conversation_id
    typed = tracer.start_turn(
        conversation_id="typed", text="turn off the lights", language="en", device_id=None, satellite_id=None
    )
    assert typed.finish().stt is None  # nobody spoke in that conversation


def test_transcript_of_other_words_or_too_old_is_not_attached(monkeypatch: pytest.MonkeyPatch) -> None:
    tracer, _ = make_tracer()
    tracer.record_transcript("open the garage", audio_seconds=1.0, stt_ms=300.0, model="base")
    assert start(tracer, "turn on the kitchen light").finish().stt is None
    tracer.record_transcript("turn on the kitchen light", audio_seconds=1.0, stt_ms=300.0, model="base")
    later = time.monotonic() + recorder.TRANSCRIPT_MAX_AGE_S + 1
    monkeypatch.setattr(recorder.time, "monotonic", lambda: later)
    assert start(tracer).finish().stt is None
    tracer.record_transcript("turn on the kitchen light", audio_seconds=1.0, stt_ms=300.0, model="base")
    trace = start(tracer).finish()
    assert trace.stt is not None and trace.stt.transcript is None  # text logging is off


def test_full_queue_drops_the_oldest_and_counts_them() -> None:
    queue = TraceQueue(capacity=3)
    traces = [TurnTrace(str(index), 0.0, "c", None, None, "en", "m", None, 0) for index in range(5)]
    for trace in traces:
        queue.put(trace)
    assert queue.dropped == 2 and len(queue) == 3
    assert [trace.turn_id for trace in queue.take_all(timeout=0)] == ["2", "3", "4"]
    assert queue.take_all(timeout=0) == []


def test_settings_never_show_the_key() -> None:
    settings = TracingSettings(enabled=True, mode="online", api_key=KEY)
    assert KEY not in repr(settings) and KEY not in str(settings)
    assert settings.redact(f"request with key {KEY} failed") == "request with key **REDACTED** failed"


def test_pinned_wandb_version_is_the_one_the_environment_installs() -> None:
    lines = [line.strip() for line in (ROOT / "requirements_optional.txt").read_text().splitlines()]
    assert WANDB_REQUIREMENT in lines


@pytest.mark.parametrize(
    ("fields", "expected"), [({"satellite_id": "assist_satellite.hall"}, "assist_satellite.hall"), ({}, None)]
)
def test_satellite_id_is_read_where_home_assistant_has_it(fields: dict[str, str], expected: str | None) -> None:
    """2025.10+ ConversationInput has satellite_id; older versions do not."""
    user_input = SimpleNamespace(text="hi", device_id="d1", **fields)
    assert compat.satellite_id(user_input) == expected  # type: ignore[arg-type]
