"""Spoken commands end to end, the way Home Assistant's voice UI sends them.

espeak-ng speech (padded with silence) is streamed in 10 ms chunks through `assist_pipeline/run`
over the websocket → our speech-to-text entity (whisper tiny.en in the worker) → the intent
stage runs our agent → a real entity changes.
"""

from __future__ import annotations

import pytest
from homeassistant.components import assist_pipeline
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from toolkit.speech import speak, word_errors

from .helpers import AGENT_ID, changed_entities, snapshot
from .voice import STT_ENTITY, async_setup_voice, our_pipeline_id, run_pipeline

# (spoken command, the entity that must change, its new state)
COMMANDS = [
    ("turn on the kitchen light", "light.kitchen_light", "on"),
    ("switch off the living room ceiling", "light.living_room_ceiling", "off"),
    ("turn on the reading lamp", "light.living_room_lamp", "on"),
    ("unlock the front door", "lock.front_door", "unlocked"),
    ("open the garage door", "cover.garage_door", "open"),
    ("close the bedroom blinds", "cover.bedroom_blinds", "closed"),
    ("turn on the coffee maker", "switch.coffee_maker", "on"),
    ("turn on the bedroom fan", "fan.bedroom_fan", "on"),
]


async def test_spoken_commands_change_the_right_entity(home: HomeAssistant, hass_ws_client: WebSocketGenerator) -> None:
    # Every command answered by the model: the local matcher is off in the pipeline and in the agent.
    entry = await async_setup_voice(home, prefer_local_intents=False, request_timeout=300)
    pipeline = assist_pipeline.async_get_pipeline(home, our_pipeline_id(entry))
    await assist_pipeline.async_update_pipeline(home, pipeline, prefer_local_intents=False)
    ws = await hass_ws_client(home)
    failures = []
    for text, entity_id, expected in COMMANDS:
        before = snapshot(home)
        events = await run_pipeline(ws, speak(text), pipeline.id)
        heard = events.get("stt-end", {}).get("stt_output", {}).get("text", "")
        assert events["stt-start"]["engine"] == STT_ENTITY
        assert events["intent-start"]["engine"] == AGENT_ID
        # The speech-to-text entity's state is when it was last used (2026.x sets it in this run too).
        changed = changed_entities(before, snapshot(home)) - {STT_ENTITY}
        if word_errors(text, heard)[0] or home.states.get(entity_id).state != expected or changed != {entity_id}:
            failures.append((text, heard, changed, events.get("intent-end")))
    assert failures == []
    transcript = entry.runtime_data.last_transcript
    assert transcript is not None and transcript.model == "faster-whisper-tiny.en"
    assert transcript.audio_seconds > 1 and transcript.transcribe_ms > 0


async def test_ready_pipeline_answers_known_commands_locally(
    home: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    entry = await async_setup_voice(home)
    pipeline = assist_pipeline.async_get_pipeline(home, our_pipeline_id(entry))
    assert (pipeline.name, pipeline.stt_engine, pipeline.conversation_engine) == (
        "Local LLM Assist",
        STT_ENTITY,
        AGENT_ID,
    )
    assert pipeline.prefer_local_intents
    ws = await hass_ws_client(home)
    events = await run_pipeline(ws, speak("turn on the office light"), pipeline.id)
    assert home.states.get("light.office_light").state == "on", events
    assert entry.runtime_data.last_generation is None  # Home Assistant's matcher did it, not the model


@pytest.mark.parametrize("voice", ["en-gb-x-rp"])
async def test_a_second_voice_is_understood(
    home: HomeAssistant, hass_ws_client: WebSocketGenerator, voice: str
) -> None:
    entry = await async_setup_voice(home)
    ws = await hass_ws_client(home)
    events = await run_pipeline(ws, speak("turn on the coffee maker", voice), our_pipeline_id(entry))
    assert home.states.get("switch.coffee_maker").state == "on", events
