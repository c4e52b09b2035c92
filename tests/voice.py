"""Helpers for voice tests: our agent with a speech model, and Assist pipeline runs over the websocket."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MockHAClientWebSocket

from custom_components.local_llm_assist.const import CONF_PIPELINE_ID, CONF_WHISPER_MODEL_PATH
from toolkit.models import FAST_WHISPER
from toolkit.speech import chunks

from .helpers import async_setup_agent

STT_ENTITY = "stt.local_llm_assist"


async def async_setup_voice(hass: HomeAssistant, **options: Any) -> MockConfigEntry:
    """The Assist pipeline and our agent with the fast speech model (options override the defaults)."""
    assert await async_setup_component(hass, "assist_pipeline", {})
    return await async_setup_agent(hass, **{CONF_WHISPER_MODEL_PATH: str(FAST_WHISPER), **options})


def our_pipeline_id(entry: MockConfigEntry) -> str:
    return str(entry.data[CONF_PIPELINE_ID])


async def run_pipeline(
    ws: MockHAClientWebSocket, pcm: bytes, pipeline_id: str | None = None, end_stage: str = "intent"
) -> dict[str, Any]:
    """Stream the audio in 10 ms chunks as HA's voice UI does; return the events' data by type."""
    pipeline = {"pipeline": pipeline_id} if pipeline_id else {}
    await ws.send_json_auto_id(
        {
            "type": "assist_pipeline/run",
            "start_stage": "stt",
            "end_stage": end_stage,
            "input": {"sample_rate": 16000, "no_vad": True},
            **pipeline,
        }
    )
    assert (await ws.receive_json())["success"]
    events: dict[str, Any] = {}
    while True:
        event = (await ws.receive_json())["event"]
        events[event["type"]] = event.get("data") or {}
        if event["type"] == "run-start":
            handler = bytes([event["data"]["runner_data"]["stt_binary_handler_id"]])
            for chunk in chunks(pcm):
                await ws.send_bytes(handler + chunk)
            await ws.send_bytes(handler)  # end of audio
        if event["type"] == "run-end":
            return events
