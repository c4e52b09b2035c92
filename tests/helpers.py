"""Helpers for tests that talk to the agent in a real Home Assistant."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from homeassistant import config_entries
from homeassistant.components import conversation
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Context, HomeAssistant, State
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.local_llm_assist.config_flow import default_options
from custom_components.local_llm_assist.const import CONF_MODEL_PATH, DOMAIN
from custom_components.local_llm_assist.tracing.trace import TurnTrace
from toolkit.models import DEFAULT_LLM

HOMES = Path(__file__).resolve().parent / "homes"
AGENT_ID = "conversation.local_llm_assist"


async def async_setup_home(hass: HomeAssistant, home: str = "basic") -> None:
    for component in ("homeassistant", "conversation", "intent"):
        assert await async_setup_component(hass, component, {})
    description = load_yaml_dict(HOMES / f"{home}.yaml")
    assert await async_setup_component(hass, "fixture_home", {"fixture_home": description})
    await hass.async_block_till_done()


async def async_setup_agent(hass: HomeAssistant, model_path: Path = DEFAULT_LLM, **options: Any) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Local LLM Assist",
        data={CONF_MODEL_PATH: str(model_path)},
        options={**default_options(), **options},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    if entry.runtime_data.warm_up is not None:
        await entry.runtime_data.warm_up  # the static prompt prefix is evaluated: turns are warm
    return entry


async def ask(
    hass: HomeAssistant, text: str, conversation_id: str | None = None, device_id: str | None = None
) -> conversation.ConversationResult:
    """Send text through Home Assistant's conversation API to our agent (from a satellite, if given)."""
    return await conversation.async_converse(
        hass, text, conversation_id, Context(), language="en", agent_id=AGENT_ID, device_id=device_id
    )


def snapshot(hass: HomeAssistant) -> dict[str, State]:
    return {state.entity_id: state for state in hass.states.async_all() if state.domain != "conversation"}


def changed_entities(before: dict[str, State], after: dict[str, State]) -> set[str]:
    """Entities whose state or attributes differ (timestamps aside)."""
    return {
        entity_id
        for entity_id, state in after.items()
        if entity_id not in before
        or (state.state, dict(state.attributes)) != (before[entity_id].state, dict(before[entity_id].attributes))
    }


def speech(result: conversation.ConversationResult) -> str:
    return str(result.response.speech["plain"]["speech"])


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def start_local_model_flow(hass: HomeAssistant) -> dict[str, Any]:
    """Open the set-up flow and choose "this machine": the menu of model sources."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": config_entries.SOURCE_USER})
    assert result["type"] is FlowResultType.MENU and "this_machine" in result["menu_options"]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "this_machine"})
    assert result["type"] is FlowResultType.MENU
    return dict(result)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now, for a test server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def async_add_wyoming_entry(hass: HomeAssistant, port: int, title: str) -> MockConfigEntry:
    """Home Assistant's own wyoming integration, set up against a Wyoming server on 127.0.0.1."""
    entry = MockConfigEntry(domain="wyoming", data={"host": "127.0.0.1", "port": port}, title=title)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


class CollectingWriter:
    """A trace writer that keeps the traces in memory: what W&B would receive."""

    def __init__(self) -> None:
        self.traces: list[TurnTrace] = []

    def submit(self, trace: TurnTrace) -> None:
        self.traces.append(trace)

    def stats(self) -> dict[str, int]:
        return {"written": len(self.traces)}
