"""One spoken command through an Assist pipeline, streamed the way a satellite streams it.

The audio goes to `assist_pipeline.async_pipeline_from_audio_stream` in 10 ms chunks, as a
satellite's microphone sends it; with `real_time` each chunk waits its 10 ms, so commands from
several satellites really overlap instead of arriving as one burst each. The pipeline runs from
speech-to-text to the intent stage (no text-to-speech); its events give what was heard, what was
answered and any error. State changes carry the `Context` given here, which is how a caller tells
which turn changed what.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from homeassistant.components import assist_pipeline
from homeassistant.components.assist_pipeline.pipeline import PipelineEvent, PipelineEventType, PipelineStage
from homeassistant.core import Context, HomeAssistant

from toolkit.speech import CHUNK_MS, PIPELINE_METADATA, chunks


@dataclass(frozen=True)
class SpokenTurn:
    """What one pipeline run heard and answered."""

    transcript: str  # "" when speech-to-text found no text or failed
    reply: str
    error: str  # the pipeline's error code, "" when it ran to the end
    conversation_id: str | None
    processed_locally: bool | None  # Home Assistant's matcher answered (None: no intent stage ran)
    audio_ended: float  # time.perf_counter() when the last chunk was handed over


async def stream_spoken(
    hass: HomeAssistant,
    pipeline_id: str,
    pcm: bytes,
    *,
    context: Context,
    conversation_id: str | None = None,
    real_time: bool = False,
) -> SpokenTurn:
    """Stream the audio through the pipeline's speech-to-text and intent stages; return what came back."""
    events: list[PipelineEvent] = []
    audio_ended = 0.0

    async def microphone() -> AsyncIterator[bytes]:
        nonlocal audio_ended
        for chunk in chunks(pcm):
            yield chunk
            if real_time:
                await asyncio.sleep(CHUNK_MS / 1000)
        audio_ended = time.perf_counter()

    await assist_pipeline.async_pipeline_from_audio_stream(
        hass,
        context=context,
        event_callback=events.append,
        stt_metadata=PIPELINE_METADATA,
        stt_stream=microphone(),
        pipeline_id=pipeline_id,
        conversation_id=conversation_id,
        audio_settings=assist_pipeline.AudioSettings(is_vad_enabled=False),
        end_stage=PipelineStage.INTENT,
    )
    return read_events(events, audio_ended)


def read_events(events: list[PipelineEvent], audio_ended: float) -> SpokenTurn:
    by_type: dict[str, dict[str, Any]] = {str(event.type): event.data or {} for event in events}
    intent_end = by_type.get(PipelineEventType.INTENT_END, {})
    output: dict[str, Any] = intent_end.get("intent_output") or {}
    speech = output.get("response", {}).get("speech", {}).get("plain", {}).get("speech", "")
    return SpokenTurn(
        transcript=by_type.get(PipelineEventType.STT_END, {}).get("stt_output", {}).get("text", ""),
        reply=str(speech or ""),
        error=str(by_type.get(PipelineEventType.ERROR, {}).get("code", "")),
        conversation_id=output.get("conversation_id"),
        processed_locally=intent_end.get("processed_locally"),
        audio_ended=audio_ended,
    )
