"""A model is proved by a real generation before it is used; a crash names its cause and creates nothing."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.local_llm_assist.config_flow import default_options
from custom_components.local_llm_assist.const import CONF_MODEL_PATH, DOMAIN, REPAIR_WORKER_CRASHING
from toolkit.models import SMOKE_LLM

from .crashing_cpu import make_workers_crash_on_multi_token_prompts
from .helpers import AGENT_ID, ask, async_setup_agent, process_exists, speech, start_local_model_flow

STRINGS = json.loads((Path(__file__).parent.parent / "custom_components" / DOMAIN / "strings.json").read_text())
SIGILL_TEXT = "The model crashed on this CPU: illegal instruction (SIGILL)."


@pytest.fixture
def crashing_cpu(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    make_workers_crash_on_multi_token_prompts(monkeypatch, tmp_path)


async def test_a_model_that_crashes_on_its_first_prompt_is_refused_with_the_cause(
    hass: HomeAssistant, crashing_cpu: None
) -> None:
    assert await async_setup_component(hass, "homeassistant", {})
    result = await start_local_model_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "local_file"})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_MODEL_PATH: str(SMOKE_LLM)})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_MODEL_PATH: "model_crashed_sigill"}
    assert STRINGS["config"]["error"]["model_crashed_sigill"].startswith(SIGILL_TEXT)
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_an_entry_whose_model_crashes_at_set_up_fails_with_the_cause(
    hass: HomeAssistant, crashing_cpu: None
) -> None:
    assert await async_setup_component(hass, "homeassistant", {})
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_MODEL_PATH: str(SMOKE_LLM)}, options=default_options())
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    # Not retried: the same CPU crashes the same way; the user must act.
    assert entry.state is config_entries.ConfigEntryState.SETUP_ERROR
    assert SIGILL_TEXT in (entry.reason or "")
    assert hass.states.get(AGENT_ID) is None


async def test_the_repair_issue_names_the_crash(
    home: HomeAssistant, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Every turn goes to the model; a generous time limit, so only crashes count as failures here.
    entry = await async_setup_agent(home, model_path=SMOKE_LLM, prefer_local_intents=False, request_timeout=300)
    pid = entry.runtime_data.client.pid
    assert pid is not None
    # From now on every restarted worker dies on its first real prompt, as on a CPU without AMX.
    make_workers_crash_on_multi_token_prompts(monkeypatch, tmp_path)
    os.kill(pid, signal.SIGKILL)  # the next request starts a new worker, which has the crash
    for _ in range(3):
        answer = speech(await ask(home, "turn on the kitchen light"))
        assert "stopped unexpectedly" in answer
    issue = ir.async_get(home).async_get_issue(DOMAIN, f"{REPAIR_WORKER_CRASHING}_{entry.entry_id}")
    assert issue is not None
    assert issue.translation_key == "worker_crashing_sigill"
    assert SIGILL_TEXT in STRINGS["issues"]["worker_crashing_sigill"]["description"]
    assert not process_exists(pid)
    await home.config_entries.async_unload(entry.entry_id)
