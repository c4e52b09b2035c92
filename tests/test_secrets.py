"""Secrets stay secret: the W&B key and a server's API key never leave the entry's own data.

One agent carries both keys, traced with text at DEBUG logging; after a turn and a diagnostics
download, neither key is in the log, the W&B run folder or any other file of the configuration
folder, Home Assistant's stored data (other than the config entry itself, where Home Assistant
keeps every integration's credentials), its conversation traces, our turn traces, the
diagnostics, or the environment of a process the integration started.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest
from homeassistant.components.conversation.trace import async_get_traces
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.local_llm_assist.const import ENGINE_LLAMACPP_SERVER
from custom_components.local_llm_assist.tracing.settings import CONF_WANDB_API_KEY

from .helpers import ask, speech
from .servers import SERVER_API_KEY, LlamaServer
from .test_server_agent import server_data, setup_server_agent
from .test_tracing import GOOD_KEY, assert_never_written, traced_home  # noqa: F401 - traced_home is a fixture

WHERE_HOME_ASSISTANT_KEEPS_CREDENTIALS = "core.config_entries"


def child_environments() -> str:
    """The environment of every process this test process started (wandb's service, a worker)."""
    environments = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if parent == os.getpid():
                environments.append((stat.parent / "environ").read_bytes().decode(errors="replace"))
        except (OSError, IndexError, ValueError):
            continue
    return "\n".join(environments)


async def test_no_key_is_written_anywhere_over_a_traced_turn(
    traced_home: HomeAssistant,  # noqa: F811 - the fixture imported above
    llama_server: LlamaServer,
    hass_client: ClientSessionGenerator,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    assert await async_setup_component(traced_home, "diagnostics", {})
    data = {**server_data(ENGINE_LLAMACPP_SERVER, llama_server.url), CONF_WANDB_API_KEY: GOOD_KEY}
    tracing = {"tracing_enabled": True, "tracing_mode": "offline", "trace_text": True}
    entry = await setup_server_agent(traced_home, data, **tracing)
    result = await ask(traced_home, "turn on the kitchen light")
    assert traced_home.states.get("light.kitchen_light").state == "on", speech(result)
    environments = child_environments()
    diagnostics = await get_diagnostics_for_config_entry(traced_home, hass_client, entry)
    tracer = entry.runtime_data.tracer
    assert tracer is not None and tracer.recent  # the turn was traced
    our_traces = json.dumps(list(tracer.recent))
    ha_traces = json.dumps([trace.as_dict() for trace in async_get_traces()], default=str)
    await traced_home.config_entries.async_unload(entry.entry_id)  # the run folder is complete
    await traced_home.async_block_till_done()

    stored = {key: value for key, value in hass_storage.items() if key != WHERE_HOME_ASSISTANT_KEEPS_CREDENTIALS}
    everything_else = "\n".join([json.dumps(stored, default=str), environments, our_traces, ha_traces])
    assert "turn on the kitchen light" in our_traces + ha_traces  # the places read hold the turn
    assert_never_written(traced_home, caplog, SERVER_API_KEY, GOOD_KEY, also=f"{diagnostics}\n{everything_else}")
