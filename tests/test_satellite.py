"""A voice satellite: Home Assistant's own `wyoming` integration talks over 127.0.0.1 to a satellite.

The satellite here is written with the `wyoming` library, as real satellites are. When Home
Assistant tells it to run, it asks for a pipeline run from speech-to-text to intent handling
and streams a spoken command. Home Assistant runs our pipeline (chosen with the satellite's own
pipeline selector), our speech-to-text entity hears the command, the command is carried out,
and the satellite receives the transcript.

Home Assistant 2025.4.4 sends a Wyoming satellite no intent event of its own: the intent stage's
outcome reaches it only as the spoken reply (Synthesize, then audio) when the pipeline ends in
text-to-speech. So the intent stage is checked here by its effect (the light turned on) and by
the absence of an Error event.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from homeassistant.core import Event as HassEvent
from homeassistant.core import EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from wyoming.asr import Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Event
from wyoming.info import Attribution, Describe, Info, Satellite
from wyoming.ping import Ping, Pong
from wyoming.pipeline import PipelineStage, RunPipeline
from wyoming.satellite import RunSatellite
from wyoming.server import AsyncEventHandler, AsyncTcpServer

from toolkit.speech import chunks, speak

from .helpers import async_add_wyoming_entry, free_port
from .voice import async_setup_voice

RATE, WIDTH, CHANNELS = 16000, 2, 1
INFO = Info(
    satellite=Satellite(
        name="Kitchen satellite",
        attribution=Attribution(name="tests", url="https://example.invalid"),
        installed=True,
        description="a satellite written in the test",
        version="1.0",
    )
)


class SpokenCommandSatellite(AsyncEventHandler):
    """Answers Describe; once Home Assistant says RunSatellite and the test says go, speaks the command."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        audio: bytes,
        go: asyncio.Event,
        heard: asyncio.Event,
    ) -> None:
        super().__init__(reader, writer)
        self.audio = audio
        self.go = go
        self.heard = heard
        self.received: list[Event] = []
        self._speaking: asyncio.Task[None] | None = None

    async def handle_event(self, event: Event) -> bool:
        self.received.append(event)
        if Describe.is_type(event.type):
            await self.write_event(INFO.event())
        elif Ping.is_type(event.type):
            await self.write_event(Pong(text=Ping.from_event(event).text).event())
        elif Transcript.is_type(event.type):
            self.heard.set()
        elif RunSatellite.is_type(event.type) and self._speaking is None:
            self._speaking = asyncio.create_task(self._speak())
        return True

    async def _speak(self) -> None:
        await self.go.wait()
        await self.write_event(RunPipeline(start_stage=PipelineStage.ASR, end_stage=PipelineStage.HANDLE).event())
        await self.write_event(AudioStart(rate=RATE, width=WIDTH, channels=CHANNELS).event())
        for chunk in chunks(self.audio):
            await self.write_event(AudioChunk(rate=RATE, width=WIDTH, channels=CHANNELS, audio=chunk).event())
        await self.write_event(AudioStop().event())


@dataclass
class SatelliteServer:
    port: int
    handlers: list[SpokenCommandSatellite]
    go: asyncio.Event  # set by the test: speak now
    heard: asyncio.Event  # set when a transcript arrives


@pytest.fixture
async def satellite_server(socket_enabled: None) -> AsyncIterator[SatelliteServer]:
    port, go, heard = free_port(), asyncio.Event(), asyncio.Event()
    handlers: list[SpokenCommandSatellite] = []
    audio = speak("turn on the kitchen light")

    def connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> SpokenCommandSatellite:
        handlers.append(SpokenCommandSatellite(reader, writer, audio, go, heard))
        return handlers[-1]

    server = AsyncTcpServer("127.0.0.1", port)
    await server.start(connect)
    yield SatelliteServer(port, handlers, go, heard)
    await server.stop()


async def test_satellite_command_runs_through_our_pipeline(
    home: HomeAssistant, satellite_server: SatelliteServer
) -> None:
    await async_setup_voice(home)
    wyoming = await async_add_wyoming_entry(home, satellite_server.port, "Kitchen satellite")
    pipeline_select = next(
        entry.entity_id
        for entry in er.async_entries_for_config_entry(er.async_get(home), wyoming.entry_id)
        if entry.domain == "select" and entry.unique_id.endswith("-pipeline")
    )
    await home.services.async_call(
        "select", "select_option", {"entity_id": pipeline_select, "option": "Local LLM Assist"}, blocking=True
    )
    light_on = asyncio.Event()

    @callback
    def on_light_change(event: HassEvent[EventStateChangedData]) -> None:
        if (state := event.data["new_state"]) is not None and state.state == "on":
            light_on.set()

    async_track_state_change_event(home, "light.kitchen_light", on_light_change)
    satellite_server.go.set()
    async with asyncio.timeout(120):
        await satellite_server.heard.wait()
        await light_on.wait()
    received = [event.type for handler in satellite_server.handlers for event in handler.received]
    assert received.index("transcribe") < received.index("transcript")  # told to listen, then what was heard
    assert "error" not in received
    assert "kitchen light" in _transcripts(satellite_server.handlers)[0].lower()
    await home.config_entries.async_unload(wyoming.entry_id)


def _transcripts(handlers: list[SpokenCommandSatellite]) -> list[str]:
    return [
        Transcript.from_event(event).text
        for handler in handlers
        for event in handler.received
        if Transcript.is_type(event.type)
    ]
