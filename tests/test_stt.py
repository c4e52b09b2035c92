"""Bad audio never reaches the agent: a clean pipeline error, no state change, no exception logged.

Home Assistant's test harness fails any test whose run logs an exception, so every test here
also proves that no exception reached Home Assistant's log.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from homeassistant.components import stt
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.local_llm_assist.stt import MAX_AUDIO_SECONDS
from toolkit.models import SMOKE_LLM
from toolkit.speech import PIPELINE_METADATA, noise, silence, speak

from .helpers import async_setup_agent, changed_entities, snapshot
from .voice import STT_ENTITY, async_setup_voice, our_pipeline_id, run_pipeline

GOOD_METADATA = PIPELINE_METADATA
HEADER = "format=wav; codec=pcm; sample_rate={rate}; bit_rate=16; channel=1; language=en"


@pytest.mark.parametrize(
    ("audio", "error_code"),
    [
        (silence(3), "stt-no-text-recognized"),
        (noise(3), "stt-no-text-recognized"),
        (b"", "stt-stream-failed"),
        (speak("turn on the kitchen light") * 12 + silence(5), "stt-stream-failed"),
    ],
    ids=["silence", "noise", "empty-stream", "longer-than-the-window"],
)
async def test_bad_audio_is_a_pipeline_error_and_changes_nothing(
    home: HomeAssistant, hass_ws_client: WebSocketGenerator, audio: bytes, error_code: str
) -> None:
    entry = await async_setup_voice(home)
    ws = await hass_ws_client(home)
    before = snapshot(home)
    events = await run_pipeline(ws, audio, our_pipeline_id(entry))
    assert events["error"]["code"] == error_code, events
    assert "intent-start" not in events  # the agent never saw it
    # Home Assistant 2026 also stamps the speech-to-text entity's "last used" time on an error.
    assert changed_entities(before, snapshot(home)) - {STT_ENTITY} == set()


def test_long_audio_case_really_is_longer_than_the_window() -> None:
    assert len(speak("turn on the kitchen light") * 12) > MAX_AUDIO_SECONDS * 16000 * 2


async def test_stream_that_breaks_off_is_an_error(home: HomeAssistant) -> None:
    await async_setup_voice(home, model_path=SMOKE_LLM)  # the agent plays no part here
    entity = stt.async_get_speech_to_text_entity(home, STT_ENTITY)
    assert entity is not None
    command = speak("turn on the kitchen light")

    async def broken_stream() -> AsyncIterator[bytes]:
        yield command[: len(command) // 2]
        raise ConnectionResetError("the satellite went away")

    before = snapshot(home)
    result = await entity.internal_async_process_audio_stream(GOOD_METADATA, broken_stream())
    assert result == stt.SpeechResult(None, stt.SpeechResultState.ERROR)
    assert changed_entities(before, snapshot(home)) == {STT_ENTITY}  # only its "last used" time


WRONG_FORMATS = [
    {"sample_rate": stt.AudioSampleRates.SAMPLERATE_44100},
    {"channel": stt.AudioChannels.CHANNEL_STEREO},
    {"codec": stt.AudioCodecs.OPUS},
    {"bit_rate": stt.AudioBitRates.BITRATE_32},
    {"language": "de"},  # tiny.en knows only English
]


async def test_wrongly_declared_audio_is_refused(home: HomeAssistant) -> None:
    await async_setup_voice(home, model_path=SMOKE_LLM)  # the agent plays no part here
    entity = stt.async_get_speech_to_text_entity(home, STT_ENTITY)
    assert entity is not None
    command = speak("turn on the kitchen light")

    async def stream() -> AsyncIterator[bytes]:
        yield command

    for wrong in WRONG_FORMATS:
        metadata = stt.SpeechMetadata(**{**GOOD_METADATA.__dict__, **wrong})  # type: ignore[arg-type]
        result = await entity.internal_async_process_audio_stream(metadata, stream())
        assert result == stt.SpeechResult(None, stt.SpeechResultState.ERROR), wrong
    assert entry_transcripts(home) == 0  # refused before any decoding


def entry_transcripts(hass: HomeAssistant) -> int:
    entry = hass.config_entries.async_entries("local_llm_assist")[0]
    return len(entry.runtime_data.transcripts)


async def test_http_speech_api_transcribes_and_refuses_wrong_formats(
    home: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    entry = await async_setup_voice(home, model_path=SMOKE_LLM)  # the agent plays no part here
    assert await async_setup_component(home, "diagnostics", {})  # before the client: it freezes the routes
    client = await hass_client()
    url = f"/api/stt/{STT_ENTITY}"
    spoken = speak("turn on the kitchen light")
    response = await client.post(url, data=spoken, headers={"X-Speech-Content": HEADER.format(rate=16000)})
    assert response.status == 200
    body = await response.json()
    assert body["result"] == "success" and "kitchen light" in body["text"].lower()
    response = await client.post(url, data=spoken, headers={"X-Speech-Content": HEADER.format(rate=44100)})
    assert response.status == 415
    assert entry_transcripts(home) == 1
    # Diagnostics keep the timings of what was heard, never the words.
    diagnostics = await get_diagnostics_for_config_entry(home, hass_client, entry)
    recent = diagnostics["speech"]["recent"]
    assert recent[0]["model"] == "faster-whisper-tiny.en" and recent[0]["transcribe_ms"] > 0
    assert "kitchen" not in str(diagnostics).lower()


async def test_no_speech_model_means_no_speech_entity(home: HomeAssistant) -> None:
    entry = await async_setup_agent(home, SMOKE_LLM)
    assert home.states.get(STT_ENTITY) is None
    assert entry.runtime_data.whisper_settings is None
