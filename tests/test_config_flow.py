"""Set-up from the UI with a real model file; every bad file leaves no entry behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from homeassistant import config_entries
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.local_llm_assist.const import (
    CONF_MODEL_PATH,
    CONF_MODEL_SHA256,
    CONF_PROMPT,
    CONF_TEMPERATURE,
    DOMAIN,
)
from custom_components.local_llm_assist.tracing.settings import CONF_WANDB_API_KEY
from toolkit.models import DEFAULT_LLM, SMOKE_LLM

from .helpers import start_local_model_flow


@pytest.fixture(autouse=True)
async def core(hass: HomeAssistant) -> None:
    """The conversation integration, which ours depends on, needs Home Assistant's core set up."""
    assert await async_setup_component(hass, "homeassistant", {})


async def start_flow(hass: HomeAssistant) -> str:
    """Open the flow and choose "a GGUF file on this machine"."""
    result = await start_local_model_flow(hass)
    assert set(result["menu_options"]) == {"catalog", "local_file", "url"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "local_file"})
    assert result["type"] is FlowResultType.FORM
    return str(result["flow_id"])


async def test_user_flow_creates_an_entry_that_loads(hass: HomeAssistant) -> None:
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_MODEL_PATH: str(SMOKE_LLM)})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.data == {CONF_MODEL_PATH: str(SMOKE_LLM)}
    assert entry.options["llm_hass_api"] == ["assist", "local_llm_assist_skills"]
    await hass.async_block_till_done()
    assert entry.state is config_entries.ConfigEntryState.LOADED
    assert hass.states.get("conversation.local_llm_assist") is not None
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "model_not_found"),
        (b"<html>404 not found</html>", "model_not_gguf"),
        (b"GGUF" + bytes(range(256)) * 4, "model_load_failed"),
    ],
    ids=["missing", "not-gguf", "corrupt-gguf"],
)
async def test_bad_model_file_shows_an_error_and_creates_nothing(
    hass: HomeAssistant, tmp_path: Path, content: bytes | None, error: str
) -> None:
    path = tmp_path / "model.gguf"
    if content is not None:
        path.write_bytes(content)
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_MODEL_PATH: str(path)})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_MODEL_PATH: error}
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_same_model_twice_is_refused(hass: HomeAssistant) -> None:
    MockConfigEntry(domain=DOMAIN, data={CONF_MODEL_PATH: str(SMOKE_LLM)}).add_to_hass(hass)
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_MODEL_PATH: str(SMOKE_LLM)})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_reconfigure_switches_the_model(hass: HomeAssistant, tmp_path: Path) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_MODEL_PATH: str(SMOKE_LLM)})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"nope")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_MODEL_PATH: str(broken)})
    assert result["errors"] == {CONF_MODEL_PATH: "model_not_gguf"}
    states: list[ConfigEntryState] = []
    stop_watching = entry.async_on_state_change(lambda: states.append(entry.state))
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_MODEL_PATH: str(DEFAULT_LLM)})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    stop_watching()
    assert entry.data[CONF_MODEL_PATH] == str(DEFAULT_LLM)
    assert entry.runtime_data.llm_settings.model_path == str(DEFAULT_LLM)
    # One reload, so the new model is loaded once (and Assist is away only once).
    assert states.count(ConfigEntryState.LOADED) == 1, states
    await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_keeps_the_other_settings(hass: HomeAssistant) -> None:
    """A new model path replaces only the path: the W&B key stays; the pinned hash stays with its file."""
    pinned = {CONF_MODEL_PATH: str(SMOKE_LLM), CONF_MODEL_SHA256: "ab" * 32, CONF_WANDB_API_KEY: "wandb-key-kept"}
    entry = MockConfigEntry(domain=DOMAIN, data=pinned)
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_MODEL_PATH: str(SMOKE_LLM)})
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.data == pinned

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_MODEL_PATH: str(DEFAULT_LLM)})
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    # The hash was of the old file: it goes; everything else stays.
    assert entry.data == {CONF_MODEL_PATH: str(DEFAULT_LLM), CONF_WANDB_API_KEY: "wandb-key-kept"}
    await hass.config_entries.async_unload(entry.entry_id)


async def test_options_flow_saves_settings_and_reloads(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_MODEL_PATH: str(SMOKE_LLM)})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    old_pid = entry.runtime_data.client.pid
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "agent"})
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"llm_hass_api": ["assist"], CONF_PROMPT: "Answer like a pirate.", CONF_TEMPERATURE: 0.3, "context_size": 2048},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options[CONF_PROMPT] == "Answer like a pirate."
    assert entry.runtime_data.llm_settings.context_size == 2048
    assert entry.runtime_data.client.pid != old_pid  # reloaded with the new context size
    await hass.config_entries.async_unload(entry.entry_id)


async def test_missing_model_at_start_retries_later(hass: HomeAssistant, tmp_path: Path) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_MODEL_PATH: str(tmp_path / "gone.gguf")})
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is config_entries.ConfigEntryState.SETUP_RETRY
    assert "missing" in (entry.reason or "")
