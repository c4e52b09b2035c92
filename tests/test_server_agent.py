"""The agent on a model server, in a real Home Assistant: set-up, turns, faults, and the API key kept secret.

The server is llama-cpp-python's own on 127.0.0.1 (tests/servers.py), reached as a llama.cpp
server (GBNF grammar) and as an OpenAI-compatible one (JSON schema). Set-up runs with llama_cpp
and faster_whisper not importable, as on Home Assistant OS, where they cannot be installed.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import pytest
from homeassistant import config_entries
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import intent
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.local_llm_assist.config_flow import default_options
from custom_components.local_llm_assist.const import (
    CONF_ENGINE,
    CONF_SERVER_API_KEY,
    CONF_SERVER_MODEL,
    CONF_SERVER_URL,
    DOMAIN,
    ENGINE_LLAMACPP_SERVER,
    ENGINE_OPENAI,
    REPAIR_SERVER_UNAVAILABLE,
)

from .helpers import ask, changed_entities, snapshot, speech
from .servers import SERVER_API_KEY, LlamaServer, free_port, silent_server
from .test_tracing import assert_never_written, traced_home  # noqa: F401 - traced_home is a fixture

SERVER_KINDS = [ENGINE_LLAMACPP_SERVER, ENGINE_OPENAI]
AUTH_FAILED = "server_auth_failed"


@pytest.fixture
def no_native_runtimes(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on Home Assistant OS: importing llama_cpp or faster_whisper fails."""
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    monkeypatch.setitem(sys.modules, "faster_whisper", None)


def server_data(kind: str, url: str, api_key: str | None = SERVER_API_KEY) -> dict[str, Any]:
    data = {CONF_ENGINE: kind, CONF_SERVER_URL: url, CONF_SERVER_MODEL: "qwen"}
    return {**data, CONF_SERVER_API_KEY: api_key} if api_key else data


async def setup_server_agent(hass: HomeAssistant, data: dict[str, Any], **options: Any) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Local LLM Assist",
        data=data,
        options={**default_options(), "prefer_local_intents": False, "request_timeout": 120, **options},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    await warmed_up(entry)
    return entry


async def warmed_up(entry: config_entries.ConfigEntry) -> None:
    """Wait for the warm-up generation: the shared server answers one request at a time, and one
    left running would eat into the next test's time limit."""
    if entry.runtime_data.warm_up is not None:
        await entry.runtime_data.warm_up


@pytest.mark.parametrize("kind", SERVER_KINDS)
async def test_a_server_backed_agent_turns_on_a_light(
    home: HomeAssistant, llama_server: LlamaServer, no_native_runtimes: None, socket_enabled: None, kind: str
) -> None:
    entry = await setup_server_agent(home, server_data(kind, llama_server.url))
    before = snapshot(home)
    result = await ask(home, "turn on the kitchen light")
    assert home.states.get("light.kitchen_light").state == "on", speech(result)
    assert changed_entities(before, snapshot(home)) == {"light.kitchen_light"}
    runtime = entry.runtime_data
    assert runtime.engine.kind == kind
    assert runtime.client.pid is None  # no worker process: the model runs on the server
    assert runtime.last_generation is not None and runtime.last_generation.prompt_tokens > 0
    await home.config_entries.async_unload(entry.entry_id)


async def test_a_server_that_is_down_gets_a_spoken_answer_and_a_repair_issue(
    home: HomeAssistant, socket_enabled: None
) -> None:
    entry = await setup_server_agent(home, server_data(ENGINE_LLAMACPP_SERVER, f"http://127.0.0.1:{free_port()}"))
    issue_id = f"{REPAIR_SERVER_UNAVAILABLE}_{entry.entry_id}"
    before = snapshot(home)
    result = await ask(home, "turn on the kitchen light")
    assert result.response.response_type == intent.IntentResponseType.ERROR
    assert "can't reach the model server" in speech(result)
    assert changed_entities(before, snapshot(home)) == set()
    # The warm-up and this turn both failed: it stays down, so the user is told in Repairs.
    issue = ir.async_get(home).async_get_issue(DOMAIN, issue_id)
    assert issue is not None and issue.translation_placeholders is not None
    assert issue.translation_placeholders["url"].startswith("http://127.0.0.1:")
    await home.config_entries.async_unload(entry.entry_id)
    assert ir.async_get(home).async_get_issue(DOMAIN, issue_id) is None


async def test_a_server_that_never_answers_gets_a_spoken_answer_within_the_time_limit(
    home: HomeAssistant, socket_enabled: None
) -> None:
    with silent_server() as url:
        entry = await setup_server_agent(home, server_data(ENGINE_OPENAI, url), request_timeout=1)
        started = time.monotonic()
        result = await ask(home, "turn on the kitchen light")
        elapsed = time.monotonic() - started
        await home.config_entries.async_unload(entry.entry_id)
    assert "took too long" in speech(result)
    assert elapsed < 5  # one request, bounded by the 1 s limit; the event loop was never blocked


async def test_a_rejected_key_is_said_and_never_written_anywhere(
    traced_home: HomeAssistant,  # noqa: F811 - the fixture imported above
    llama_server: LlamaServer,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Traced with text, logged at debug level, diagnosed: neither the right key nor a wrong one shows up."""
    caplog.set_level(logging.DEBUG)
    assert await async_setup_component(traced_home, "diagnostics", {})
    tracing = {"tracing_enabled": True, "tracing_mode": "offline", "trace_text": True}
    good = await setup_server_agent(traced_home, server_data(ENGINE_OPENAI, llama_server.url), **tracing)
    result = await ask(traced_home, "turn on the kitchen light")
    assert traced_home.states.get("light.kitchen_light").state == "on", speech(result)
    diagnostics = await get_diagnostics_for_config_entry(traced_home, hass_client, good)
    assert diagnostics["data"][CONF_SERVER_API_KEY] == "**REDACTED**"
    assert diagnostics["engine"]["api_key_set"] is True
    await traced_home.config_entries.async_remove(good.entry_id)  # the next agent gets the same entity id

    wrong_key = "sk-wrong-" + "5a" * 12
    wrong = await setup_server_agent(traced_home, server_data(ENGINE_LLAMACPP_SERVER, llama_server.url, wrong_key))
    result = await ask(traced_home, "turn off the kitchen light")
    assert "rejected my API key" in speech(result)
    assert traced_home.states.get("light.kitchen_light").state == "on"
    wrong_diagnostics = await get_diagnostics_for_config_entry(traced_home, hass_client, wrong)
    await traced_home.config_entries.async_unload(wrong.entry_id)
    assert_never_written(traced_home, caplog, SERVER_API_KEY, wrong_key, also=f"{diagnostics} {wrong_diagnostics}")


async def start_flow(hass: HomeAssistant, kind: str) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": config_entries.SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["this_machine", ENGINE_LLAMACPP_SERVER, ENGINE_OPENAI]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": kind})
    assert result["type"] is FlowResultType.FORM and result["step_id"] == kind
    return dict(result)


@pytest.mark.parametrize("kind", SERVER_KINDS)
async def test_config_flow_creates_a_server_entry_only_after_a_real_generation(
    home: HomeAssistant,
    llama_server: LlamaServer,
    no_native_runtimes: None,
    socket_enabled: None,
    caplog: pytest.LogCaptureFixture,
    kind: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    flow = await start_flow(home, kind)
    attempts: list[tuple[dict[str, Any], dict[str, str]]] = [
        ({CONF_SERVER_URL: "192.168.1.20:8080"}, {CONF_SERVER_URL: "invalid_server_url"}),
        ({CONF_SERVER_URL: f"http://127.0.0.1:{free_port()}"}, {"base": "server_unreachable"}),
        (
            {CONF_SERVER_URL: llama_server.url, CONF_SERVER_API_KEY: "sk-nope"},
            {CONF_SERVER_API_KEY: "server_auth_failed"},
        ),
    ]
    model = {CONF_SERVER_MODEL: "qwen"} if kind == ENGINE_OPENAI else {}  # llama.cpp's server serves one
    for values, errors in attempts:
        result = await home.config_entries.flow.async_configure(flow["flow_id"], {**model, **values})
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == errors
        assert home.config_entries.async_entries(DOMAIN) == []
    good = {CONF_SERVER_URL: llama_server.url, CONF_SERVER_API_KEY: SERVER_API_KEY, **model}
    result = await home.config_entries.flow.async_configure(flow["flow_id"], good)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await home.async_block_till_done()
    entry = home.config_entries.async_entries(DOMAIN)[0]
    assert entry.data[CONF_ENGINE] == kind and entry.data[CONF_SERVER_API_KEY] == SERVER_API_KEY
    assert entry.state is ConfigEntryState.LOADED
    await warmed_up(entry)
    reply = await ask(home, "turn on the kitchen light")
    assert home.states.get("light.kitchen_light").state == "on", speech(reply)

    again = await start_flow(home, kind)
    result = await home.config_entries.flow.async_configure(again["flow_id"], good)
    assert result["type"] is FlowResultType.ABORT and result["reason"] == "already_configured"
    assert SERVER_API_KEY not in caplog.text and "sk-nope" not in caplog.text
    await home.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_a_server_entry_keeps_the_saved_key_when_left_empty(
    home: HomeAssistant, llama_server: LlamaServer, no_native_runtimes: None, socket_enabled: None
) -> None:
    entry = await setup_server_agent(home, server_data(ENGINE_LLAMACPP_SERVER, f"http://127.0.0.1:{free_port()}"))
    result = await entry.start_reconfigure_flow(home)
    assert result["step_id"] == "reconfigure_server"
    assert CONF_SERVER_API_KEY not in str(result["data_schema"]({CONF_SERVER_URL: "http://x"}))
    result = await home.config_entries.flow.async_configure(result["flow_id"], {CONF_SERVER_URL: llama_server.url})
    assert result["type"] is FlowResultType.ABORT and result["reason"] == "reconfigure_successful"
    await home.async_block_till_done()
    assert entry.data[CONF_SERVER_URL] == llama_server.url
    assert entry.data[CONF_SERVER_API_KEY] == SERVER_API_KEY
    await warmed_up(entry)
    reply = await ask(home, "turn on the kitchen light")
    assert home.states.get("light.kitchen_light").state == "on", speech(reply)
    await home.config_entries.async_unload(entry.entry_id)
