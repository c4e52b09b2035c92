"""Tracing real turns to W&B: offline run folders read back, an unreachable or refusing W&B, privacy, clean-up."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import socket
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_socket
from aiohttp import web
from homeassistant.components import assist_pipeline
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import package
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import get_diagnostics_for_config_entry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.local_llm_assist.config_flow import default_options
from custom_components.local_llm_assist.const import CONF_MODEL_PATH, CONF_WHISPER_MODEL_PATH, DOMAIN
from custom_components.local_llm_assist.tracing import setup as tracing_setup
from custom_components.local_llm_assist.tracing.settings import CONF_WANDB_API_KEY, TRACES_FOLDER
from custom_components.local_llm_assist.tracing.setup import REPAIR_TRACING_UNREACHABLE
from toolkit.local_web import serving
from toolkit.models import DEFAULT_LLM, FAST_WHISPER
from toolkit.speech import speak

from .helpers import ask, async_setup_agent, changed_entities, snapshot, speech
from .voice import our_pipeline_id, run_pipeline
from .wandb_run import read_run, run_folders

DEFAULT_LLM_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
GOOD_KEY = "good" + "0123456789" * 4
BAD_KEY = "bad0" + "9876543210" * 4


@pytest.fixture
async def traced_home(home: HomeAssistant, tmp_path: Path, socket_enabled: None) -> HomeAssistant:
    """The test home writing into its own config folder.

    wandb talks to its own service process over a Unix socket; network connections stay limited
    to 127.0.0.1, as in every Home Assistant test.
    """
    pytest_socket.socket_allow_hosts(["127.0.0.1"], allow_unix_socket=True)
    home.config.config_dir = str(tmp_path)
    return home


async def setup_traced_agent(
    hass: HomeAssistant, model: Path = DEFAULT_LLM, api_key: str | None = None, **options: Any
) -> MockConfigEntry:
    data: dict[str, Any] = {CONF_MODEL_PATH: str(model)}
    if api_key:
        data[CONF_WANDB_API_KEY] = api_key
    # A generous time limit: these tests are about tracing, and share slow CPUs with other work.
    tracing = {
        "tracing_enabled": True,
        "tracing_mode": "offline",
        "prefer_local_intents": False,
        "request_timeout": 240,
    }
    entry = MockConfigEntry(
        domain=DOMAIN, title="Local LLM Assist", data=data, options={**default_options(), **tracing, **options}
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    if entry.runtime_data.warm_up is not None:
        await entry.runtime_data.warm_up
    return entry


async def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    """The writer works in its own thread: poll its state, without ever blocking the loop."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - the state belongs to a thread, there is no event to await
            await asyncio.sleep(0.05)


def writer_state(entry: MockConfigEntry) -> str:
    tracer = entry.runtime_data.tracer
    assert tracer is not None
    return str(tracer.writer.stats()["state"])


def leftovers() -> tuple[list[str], list[str]]:
    """Tracing threads still alive in this process, and wandb service processes it started."""
    threads = [thread.name for thread in threading.enumerate() if "tracing" in thread.name]
    processes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            command = (status.parent / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(_own_pid()) and "wandb-core" in command:
            processes.append(command.replace("\0", " "))
    return threads, processes


def _own_pid() -> int:
    return os.getpid()


def assert_never_written(hass: HomeAssistant, caplog: pytest.LogCaptureFixture, *secrets: str, also: str = "") -> None:
    """Not in the log, not in any file under the config folder (run folders, wandb's own logs), not in `also`."""
    config_files = [path for path in Path(hass.config.config_dir).rglob("*") if path.is_file()]
    texts = [caplog.text, also, *(path.read_bytes().decode(errors="replace") for path in config_files)]
    for secret in secrets:
        assert all(secret not in text for text in texts)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def fake_wandb() -> AsyncIterator[str]:
    """A W&B API on 127.0.0.1 that knows only GOOD_KEY, and refuses to create runs (so init fails fast)."""

    async def graphql(request: web.Request) -> web.Response:
        expected = "Basic " + base64.b64encode(f"api:{GOOD_KEY}".encode()).decode()
        body = await request.json()
        if request.headers.get("Authorization") == expected and "viewer" in body.get("query", ""):
            return web.json_response({"data": {"viewer": {"id": "user-1"}}})
        return web.json_response({"errors": [{"message": "user is not logged in"}]}, status=401)

    app = web.Application()
    app.router.add_post("/graphql", graphql)
    async with serving(app) as base_url:
        yield base_url


async def test_offline_run_folder_holds_every_turn_with_its_spans_and_metrics(traced_home: HomeAssistant) -> None:
    hass = traced_home
    entry = await setup_traced_agent(hass)
    acted = await ask(hass, "turn on the kitchen light")
    assert hass.states.get("light.kitchen_light").state == "on", speech(acted)
    answered = await ask(hass, "what is the capital of France?")
    assert "paris" in speech(answered).lower()
    await ask(hass, "turn on the secret lab light")  # not exposed: refused before the model

    assert await hass.config_entries.async_unload(entry.entry_id)  # finishes the run
    (folder,) = run_folders(Path(hass.config.path(TRACES_FOLDER)))
    run = read_run(folder)
    assert run.finished
    assert run.config["model"] == DEFAULT_LLM.name
    assert run.config["model_sha256"] == DEFAULT_LLM_SHA256
    rows = run.table_rows()
    assert [row["outcome"] for row in rows] == ["acted", "answered", "no_match"]
    command, question, refused = rows
    calls = json.loads(command["tool_calls"])
    assert [call["name"] for call in calls] == ["HassTurnOn"] and calls[0]["error"] is None
    assert calls[0]["arguments"]["name"].lower() == "kitchen light"
    generations = json.loads(command["generations"])
    assert generations and generations[0]["completion_tokens"] > 0 and generations[0]["prompt_ms"] > 0
    # Much of a tool call is fixed by the grammar: the decoder jumped over it and sampled the choices.
    call = generations[0]
    assert call["forced_tokens"] > 0 and call["sampled_tokens"] > 0
    assert call["forced_tokens"] + call["sampled_tokens"] == call["completion_tokens"]
    assert command["cached_prompt_tokens"] > 0.5 * command["prompt_tokens"]  # the warm-up's prefix was reused
    assert command["prompt_version"] and command["grammar_hash"] and command["model_sha256"] == DEFAULT_LLM_SHA256
    assert question["tool_calls"] == "[]" and question["completion_tokens"] > 0
    assert refused["error"] == "device_not_exposed" and refused["prompt_tokens"] == 0
    assert len({row["conversation_id"] for row in rows}) == 3 and {row["language"] for row in rows} == {"en"}

    turns = [point for point in run.history if "turn/total_ms" in point]
    assert len(turns) == 3
    assert [point["turn/success"] for point in turns] == [1, 1, 0]
    assert all(point["turn/total_ms"] > 0 for point in turns) and turns[0]["llm/prompt_tokens"] > 0
    # What was said is not traced unless the user asks for it.
    everything = run.all_text()
    assert "France" not in everything and "Paris" not in everything and "secret lab" not in everything.lower()


async def test_text_is_traced_when_allowed_and_shutdown_finishes_the_run(traced_home: HomeAssistant) -> None:
    hass = traced_home
    entry = await setup_traced_agent(hass, prefer_local_intents=True, trace_text=True)
    result = await ask(hass, "turn off the lights in the living room")  # Home Assistant's matcher handles it
    assert hass.states.get("light.living_room_ceiling").state == "off", speech(result)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)  # Home Assistant shutting down finishes the run
    await hass.async_block_till_done()

    (folder,) = run_folders(Path(hass.config.path(TRACES_FOLDER)))
    run = read_run(folder)
    assert run.finished and leftovers() == ([], [])
    (row,) = run.table_rows()
    assert row["outcome"] == "acted" and row["handled_locally"] is True and row["prompt_tokens"] == 0
    assert row["request"] == "turn off the lights in the living room"
    assert row["reply"] == speech(result)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_unreachable_wandb_never_slows_or_fails_a_turn_and_is_reported_once(
    traced_home: HomeAssistant, caplog: pytest.LogCaptureFixture, hass_client: ClientSessionGenerator
) -> None:
    hass = traced_home
    caplog.set_level(logging.DEBUG)
    assert await async_setup_component(hass, "diagnostics", {})
    base_url = f"http://127.0.0.1:{closed_port()}"
    entry = await setup_traced_agent(hass, api_key=GOOD_KEY, tracing_mode="online", wandb_base_url=base_url)
    await wait_for(lambda: writer_state(entry) == "unreachable")

    before = snapshot(hass)
    for text in ("turn on the kitchen light", "turn on the office light", "is the bedroom light on?"):
        result = await ask(hass, text)
        assert result.response.response_type.value != "error", speech(result)
    assert changed_entities(before, snapshot(hass)) == {"light.kitchen_light", "light.office_light"}

    assert caplog.text.count("Tracing to W&B is paused") == 1
    issue_id = f"{REPAIR_TRACING_UNREACHABLE}_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    tracing = diagnostics["tracing"]
    assert tracing["writer"]["state"] == "unreachable" and "did not answer" in tracing["writer"]["last_error"]
    assert tracing["writer"]["queued"] == 3  # kept for when W&B comes back, within the queue's bound
    assert [trace["outcome"] for trace in tracing["recent_traces"]] == ["acted", "acted", "answered"]
    assert tracing["settings"]["api_key"] == "**REDACTED**"
    assert diagnostics["data"][CONF_WANDB_API_KEY] == "**REDACTED**"

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert leftovers() == ([], [])
    assert_never_written(hass, caplog, GOOD_KEY, also=json.dumps(diagnostics))


async def test_rejected_key_asks_for_a_new_one_once(
    traced_home: HomeAssistant, fake_wandb: str, caplog: pytest.LogCaptureFixture
) -> None:
    hass = traced_home
    caplog.set_level(logging.DEBUG)
    entry = await setup_traced_agent(
        hass,
        api_key=BAD_KEY,
        tracing_mode="online",
        wandb_base_url=fake_wandb,
        prefer_local_intents=True,
    )
    await wait_for(lambda: writer_state(entry) == "auth_rejected")
    await hass.async_block_till_done()
    flows = [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]
    assert len(flows) == 1
    result = await ask(hass, "turn off the lights in the living room")
    assert result.response.response_type.value != "error"

    flow_id = flows[0]["flow_id"]
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_WANDB_API_KEY: BAD_KEY})
    assert result["type"] is FlowResultType.FORM and result["errors"] == {CONF_WANDB_API_KEY: "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_WANDB_API_KEY: GOOD_KEY})
    assert result["type"] is FlowResultType.ABORT and result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.data[CONF_WANDB_API_KEY] == GOOD_KEY
    assert entry.state is ConfigEntryState.LOADED and writer_state(entry) != "auth_rejected"
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert leftovers() == ([], [])
    assert_never_written(hass, caplog, GOOD_KEY, BAD_KEY)


async def open_tracing_options(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU and set(result["menu_options"]) == {"agent", "speech", "tracing"}
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "tracing"})
    assert result["type"] is FlowResultType.FORM and result["step_id"] == "tracing"
    return str(result["flow_id"])


async def test_tracing_is_switched_on_and_off_in_the_options_and_leaves_nothing_behind(
    traced_home: HomeAssistant, fake_wandb: str, caplog: pytest.LogCaptureFixture
) -> None:
    hass = traced_home
    caplog.set_level(logging.DEBUG)
    entry = await async_setup_agent(hass, prefer_local_intents=True)
    assert entry.runtime_data.tracer is None

    flow_id = await open_tracing_options(hass, entry)
    online = {"tracing_enabled": True, "tracing_mode": "online", "wandb_base_url": fake_wandb}
    result = await hass.config_entries.options.async_configure(flow_id, online)
    assert result["errors"] == {CONF_WANDB_API_KEY: "api_key_required"}
    result = await hass.config_entries.options.async_configure(flow_id, {**online, CONF_WANDB_API_KEY: BAD_KEY})
    assert result["errors"] == {"base": "invalid_auth"}
    unreachable = {**online, "wandb_base_url": f"http://127.0.0.1:{closed_port()}", CONF_WANDB_API_KEY: GOOD_KEY}
    result = await hass.config_entries.options.async_configure(flow_id, unreachable)
    assert result["errors"] == {"base": "cannot_connect"}
    assert CONF_WANDB_API_KEY not in entry.data and entry.runtime_data.tracer is None  # nothing saved

    result = await hass.config_entries.options.async_configure(
        flow_id, {"tracing_enabled": True, "tracing_mode": "offline"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the entry reloads with tracing on
    assert entry.options["prefer_local_intents"] is True  # the agent's settings are kept
    await wait_for(lambda: writer_state(entry) == "writing")
    result = await ask(hass, "turn off the lights in the living room")
    assert hass.states.get("light.living_room_ceiling").state == "off", speech(result)

    flow_id = await open_tracing_options(hass, entry)
    await hass.config_entries.options.async_configure(flow_id, {"tracing_enabled": False})
    await hass.async_block_till_done()
    assert entry.runtime_data.tracer is None
    assert leftovers() == ([], [])
    (folder,) = run_folders(Path(hass.config.path(TRACES_FOLDER)))
    assert [row["outcome"] for row in read_run(folder).table_rows()] == ["acted"]

    flow_id = await open_tracing_options(hass, entry)
    result = await hass.config_entries.options.async_configure(flow_id, {**online, CONF_WANDB_API_KEY: GOOD_KEY})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.data[CONF_WANDB_API_KEY] == GOOD_KEY and GOOD_KEY not in json.dumps(dict(entry.options))
    assert entry.runtime_data.tracer is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert leftovers() == ([], [])
    assert_never_written(hass, caplog, GOOD_KEY, BAD_KEY)


async def test_failed_wandb_install_is_a_clear_error_and_changes_nothing(
    home: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = await async_setup_agent(home, prefer_local_intents=True)
    options_before = dict(entry.options)
    # pip cannot be made to fail for real without a network; pretend this version is missing and pip fails.
    monkeypatch.setattr(tracing_setup, "WANDB_REQUIREMENT", "wandb==0.0.1")
    monkeypatch.setattr(package, "install_package", lambda *args, **kwargs: False)

    flow_id = await open_tracing_options(home, entry)
    result = await home.config_entries.options.async_configure(
        flow_id, {"tracing_enabled": True, "tracing_mode": "offline"}
    )
    assert result["type"] is FlowResultType.FORM and result["errors"] == {"base": "wandb_install_failed"}
    assert dict(entry.options) == options_before and entry.runtime_data.tracer is None
    await home.config_entries.async_unload(entry.entry_id)


async def test_spoken_turn_is_traced_with_its_transcription(
    traced_home: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    hass = traced_home
    assert await async_setup_component(hass, "assist_pipeline", {})
    entry = await setup_traced_agent(hass, **{CONF_WHISPER_MODEL_PATH: str(FAST_WHISPER)}, request_timeout=300)
    pipeline = assist_pipeline.async_get_pipeline(hass, our_pipeline_id(entry))
    await assist_pipeline.async_update_pipeline(hass, pipeline, prefer_local_intents=False)
    ws = await hass_ws_client(hass)
    events = await run_pipeline(ws, speak("turn on the kitchen light"), pipeline.id)
    assert hass.states.get("light.kitchen_light").state == "on", events

    assert await hass.config_entries.async_unload(entry.entry_id)  # finishes the run
    (folder,) = run_folders(Path(hass.config.path(TRACES_FOLDER)))
    (row,) = read_run(folder).table_rows()
    assert row["outcome"] == "acted"
    assert row["stt_ms"] > 0  # the transcription's span joined the turn it started
    assert row["transcript"] is None  # what was said stays out unless the user allows it
