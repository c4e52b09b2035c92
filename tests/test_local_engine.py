"""Home Assistant without the local engine: nothing is required at install, a failed install is explained.

Home Assistant OS and the official container cannot build llama-cpp-python. Here the engine is
made unimportable in Home Assistant's process (as there) and the on-demand install fails for
real: Home Assistant's requirements machinery runs its installer (uv) offline for a version
that does not exist, as it would fail for a package that cannot be built.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.local_llm_assist import local_engine
from custom_components.local_llm_assist.config_flow import default_options
from custom_components.local_llm_assist.const import CONF_MODEL_PATH, CONF_WHISPER_MODEL_PATH, DOMAIN
from toolkit.models import FAST_WHISPER, SMOKE_LLM

from .helpers import AGENT_ID, start_local_model_flow

STRINGS = json.loads((Path(__file__).parent.parent / "custom_components" / DOMAIN / "strings.json").read_text())
UNBUILDABLE_LLAMA_CPP = "llama-cpp-python==0.0.0"
UNBUILDABLE_FASTER_WHISPER = "faster-whisper==0.0.0"


@pytest.fixture
def no_local_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """llama_cpp and faster_whisper cannot be imported in Home Assistant's process."""
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    monkeypatch.setitem(sys.modules, "faster_whisper", None)


@pytest.fixture
def install_fails(hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, no_local_engine: None) -> Iterator[None]:
    """Home Assistant really runs its installer, which cannot get the packages."""
    for name, requirement in (("LLAMA_CPP", UNBUILDABLE_LLAMA_CPP), ("FASTER_WHISPER", UNBUILDABLE_FASTER_WHISPER)):
        package = getattr(local_engine, name)
        monkeypatch.setattr(local_engine, name, replace(package, requirements=(requirement,)))
    monkeypatch.setenv("UV_OFFLINE", "1")  # a failure that needs no network, and installs nothing
    hass.config.skip_pip = False  # the test harness skips installs; Home Assistant itself does not
    yield
    hass.config.skip_pip = True


@pytest.fixture(autouse=True)
async def core(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, "homeassistant", {})


async def configure_local_file(hass: HomeAssistant) -> dict[str, object]:
    result = await start_local_model_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "local_file"})
    return dict(await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_MODEL_PATH: str(SMOKE_LLM)}))


async def test_failed_install_points_to_a_server_and_creates_nothing(
    hass: HomeAssistant, install_fails: None, caplog: pytest.LogCaptureFixture
) -> None:
    result = await configure_local_file(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_MODEL_PATH: "llama_cpp_install_failed"}
    text = STRINGS["config"]["error"]["llama_cpp_install_failed"]
    assert "could not be installed" in text and "llama.cpp or OpenAI-compatible server" in text
    assert f"Unable to install package {UNBUILDABLE_LLAMA_CPP}" in caplog.text  # the installer really ran
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_installed_but_not_importable_is_refused_too(hass: HomeAssistant, no_local_engine: None) -> None:
    """The harness skips installs (as Home Assistant does for a package it finds): the import check still holds."""
    result = await configure_local_file(hass)
    assert result["errors"] == {CONF_MODEL_PATH: "llama_cpp_install_failed"}
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_entry_set_up_without_the_engine_waits_with_the_reason(hass: HomeAssistant, install_fails: None) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_MODEL_PATH: str(SMOKE_LLM)}, options=default_options())
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is config_entries.ConfigEntryState.SETUP_RETRY
    assert "could not be installed" in (entry.reason or "")
    assert hass.states.get(AGENT_ID) is None


async def test_speech_options_without_faster_whisper(hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch) -> None:
    # The language model's engine is there; only the speech engine is missing.
    monkeypatch.setitem(sys.modules, "faster_whisper", None)
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_MODEL_PATH: str(SMOKE_LLM)}, options=default_options())
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "speech"})
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_WHISPER_MODEL_PATH: str(FAST_WHISPER)}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "faster_whisper_install_failed"}
    assert CONF_WHISPER_MODEL_PATH not in entry.options
    await hass.config_entries.async_unload(entry.entry_id)
