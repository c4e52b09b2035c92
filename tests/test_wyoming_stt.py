"""The ready-made pipeline without our speech model: Home Assistant's own Wyoming speech-to-text.

A home on Home Assistant OS that runs the Whisper add-on has a Wyoming speech-to-text and no need
for ours. Here a real `wyoming-faster-whisper` server (what the add-on runs; installed by
scripts/setup in a venv of its own, since it needs a newer `wyoming` than Home Assistant 2025.4's
wyoming integration) serves the tiny.en model folder on 127.0.0.1, offline. Home Assistant's
wyoming integration connects to it, then our integration is set up with no speech model: the
"Local LLM Assist" pipeline pairs that speech-to-text with our agent, and a spoken command
streamed through the pipeline turns the light on, decided by our model.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from homeassistant.components import assist_pipeline
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from toolkit.models import FAST_WHISPER
from toolkit.speech import speak

from .helpers import AGENT_ID, async_add_wyoming_entry, async_setup_agent, free_port
from .voice import STT_ENTITY, our_pipeline_id, run_pipeline

WYOMING_VENV = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "local_llm_assist" / "wyoming-venv"
STARTUP_TIMEOUT = 120.0


@pytest.fixture
async def wyoming_whisper(socket_enabled: None, tmp_path: Path) -> AsyncIterator[int]:
    """A wyoming-faster-whisper server on a free port of 127.0.0.1; yields the port."""
    python = WYOMING_VENV / "bin" / "python"
    assert python.exists(), f"{python} is missing: run scripts/setup"
    port = free_port()
    server = await asyncio.create_subprocess_exec(
        str(python),
        "-m",
        "wyoming_faster_whisper",
        *("--uri", f"tcp://127.0.0.1:{port}", "--model", str(FAST_WHISPER), "--data-dir", str(tmp_path)),
        *("--stt-library", "faster-whisper", "--language", "en", "--local-files-only"),
        *("--beam-size", "1", "--compute-type", "int8", "--cpu-threads", "2"),
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await _wait_until_ready(server)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            server.terminate()
        await server.wait()


async def _wait_until_ready(server: asyncio.subprocess.Process) -> None:
    """The server logs "Ready" once the model is loaded and it listens."""
    assert server.stderr is not None
    log: list[str] = []
    async with asyncio.timeout(STARTUP_TIMEOUT):
        while line := (await server.stderr.readline()).decode(errors="replace"):
            log.append(line)
            if "Ready" in line:
                # Keep draining its log so a chatty server never blocks on a full pipe.
                asyncio.get_running_loop().create_task(_drain(server.stderr))
                return
    pytest.fail(f"wyoming-faster-whisper did not start: {''.join(log)[-2000:]}")


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass


async def test_pipeline_pairs_our_agent_with_wyoming_speech_to_text(
    home: HomeAssistant, hass_ws_client: WebSocketGenerator, wyoming_whisper: int
) -> None:
    assert await async_setup_component(home, "assist_pipeline", {})
    wyoming = await async_add_wyoming_entry(home, wyoming_whisper, "Whisper")
    wyoming_stt = next(
        entity.entity_id
        for entity in er.async_entries_for_config_entry(er.async_get(home), wyoming.entry_id)
        if entity.domain == "stt"
    )

    entry = await async_setup_agent(home, prefer_local_intents=False, request_timeout=300)  # no speech model of ours
    assert home.states.get(STT_ENTITY) is None
    pipeline = assist_pipeline.async_get_pipeline(home, our_pipeline_id(entry))
    assert (pipeline.name, pipeline.stt_engine, pipeline.conversation_engine) == (
        "Local LLM Assist",
        wyoming_stt,
        AGENT_ID,
    )
    # Every command to the model, so the test shows our agent at work, not Home Assistant's matcher.
    await assist_pipeline.async_update_pipeline(home, pipeline, prefer_local_intents=False)

    ws = await hass_ws_client(home)
    events = await run_pipeline(ws, speak("turn on the kitchen light"), pipeline.id)
    assert events["stt-start"]["engine"] == wyoming_stt
    assert "kitchen light" in events["stt-end"]["stt_output"]["text"].lower()
    assert events["intent-start"]["engine"] == AGENT_ID
    assert home.states.get("light.kitchen_light").state == "on", events.get("intent-end")
    assert entry.runtime_data.last_generation is not None  # our model decided it
    await home.config_entries.async_unload(entry.entry_id)
    await home.config_entries.async_unload(wyoming.entry_id)
