"""Three satellites speaking at once through the ready pipeline: every turn answered, none crossed.

Each satellite says a command about its own light (toolkit/satellites.py, as `scripts/stress`
does at larger size), espeak-ng speech streamed in real time so the three overlap. Every turn goes
to the model here, so transcriptions for some satellites and generations for others queue at the
one worker process: each transcript must come back to the pipeline that sent the audio, each
state change must carry the context of the satellite that asked for it, and each turn's trace
must hold its own transcription.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.components import assist_pipeline
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from custom_components.local_llm_assist.engine.worker import WorkerClient
from custom_components.local_llm_assist.tracing.recorder import Tracer
from custom_components.local_llm_assist.tracing.settings import ModelInfo, TracingSettings
from toolkit.satellites import command_record, round_figures, satellite_home, speak_at_once

from .helpers import CollectingWriter
from .voice import async_setup_voice, our_pipeline_id

type Call = tuple[str, float, float]  # (worker operation, asked at, answered at)


async def test_three_satellites_at_once_lose_and_cross_nothing(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, "fixture_home", {"fixture_home": satellite_home()})
    await hass.async_block_till_done()
    entry = await async_setup_voice(hass, prefer_local_intents=False, request_timeout=300)
    pipeline = assist_pipeline.async_get_pipeline(hass, our_pipeline_id(entry))
    await assist_pipeline.async_update_pipeline(hass, pipeline, prefer_local_intents=False)
    calls = time_worker_calls(entry.runtime_data.client)
    traces = CollectingWriter()  # traces in memory: what W&B would receive
    entry.runtime_data.tracer = Tracer(
        TracingSettings(enabled=True, include_text=True), ModelInfo("m", "m", None), traces
    )

    spoken = await speak_at_once(hass, pipeline.id, satellites=3, turns=1)

    figures = round_figures(spoken)
    commands = [command_record(spoken, command) for command in spoken.commands]
    assert len(commands) == 3 and figures["by_model"] == 3, commands
    counts = {key: figures[key] for key in ("lost", "crossed", "wrong_state", "unowned_changes")}
    assert counts == {"lost": 0, "crossed": 0, "wrong_state": 0, "unowned_changes": 0}, commands
    # The turns did share the worker: a transcription was waiting or running while a generation was.
    assert overlapping(calls, "transcribe", "generate"), calls
    # Each turn's trace has the transcription of its own pipeline run (matched by its conversation).
    transcribed = {trace.conversation_id: trace.stt.transcript if trace.stt else None for trace in traces.traces}
    assert transcribed == {command.heard.conversation_id: command.heard.transcript for command in spoken.commands}


def time_worker_calls(client: WorkerClient) -> list[Call]:
    """Record when each transcription and generation was asked of the worker and answered (the calls
    themselves go through unchanged)."""
    calls: list[Call] = []

    def timed(operation: str, real: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def call(*args: Any, **kwargs: Any) -> Any:
            asked = time.perf_counter()
            try:
                return await real(*args, **kwargs)
            finally:
                calls.append((operation, asked, time.perf_counter()))

        return call

    for operation in ("transcribe", "generate"):
        setattr(client, operation, timed(operation, getattr(client, operation)))
    return calls


def overlapping(calls: list[Call], first: str, second: str) -> bool:
    return any(
        a_start < b_end and b_start < a_end
        for a_op, a_start, a_end in calls
        for b_op, b_start, b_end in calls
        if (a_op, b_op) == (first, second)
    )
