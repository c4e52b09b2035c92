"""Config flow downloads from a real HTTP server on 127.0.0.1 serving a real model file."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component

from custom_components.local_llm_assist import config_flow
from custom_components.local_llm_assist.const import CONF_MODEL_PATH, CONF_MODEL_SHA256, DOMAIN
from custom_components.local_llm_assist.engine.catalog import load_catalog
from toolkit.local_web import serving
from toolkit.models import SMOKE_LLM

from .helpers import ask, speech, start_local_model_flow

SMOKE_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"


@dataclass
class ModelServer:
    """Serves files from a folder, counting requests (a stand-in for a model publisher)."""

    base_url: str = ""
    requests: list[str] = field(default_factory=list)


@pytest.fixture
async def model_server(hass: HomeAssistant, socket_enabled: None) -> AsyncIterator[ModelServer]:
    server = ModelServer()

    async def serve(request: web.Request) -> web.StreamResponse:
        server.requests.append(request.path)
        if request.path != f"/{SMOKE_LLM.name}":
            raise web.HTTPNotFound
        return web.FileResponse(SMOKE_LLM)  # aiohttp answers Range requests itself

    app = web.Application()
    app.router.add_get("/{name}", serve)
    async with serving(app) as server.base_url:
        yield server


@pytest.fixture(autouse=True)
async def core(hass: HomeAssistant, tmp_path: Path) -> None:
    hass.config.config_dir = str(tmp_path)  # downloads land in <config>/models: keep them per test
    for component in ("homeassistant", "conversation", "intent"):
        assert await async_setup_component(hass, component, {})


async def start_url_flow(hass: HomeAssistant, url: str, sha256: str | None) -> dict:
    result = await start_local_model_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "url"})
    assert result["step_id"] == "url"
    user_input = {"url": url} | ({"sha256": sha256} if sha256 else {})
    return dict(await hass.config_entries.flow.async_configure(result["flow_id"], user_input))


async def finish(hass: HomeAssistant, result: dict) -> dict:
    """Wait for the download task, then let the flow take its next step."""
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    assert result["progress_action"] == "download"
    await hass.async_block_till_done()
    return dict(await hass.config_entries.flow.async_configure(result["flow_id"]))


def models_dir(hass: HomeAssistant) -> Path:
    return Path(hass.config.path("models"))


async def test_download_from_a_link_creates_an_entry_that_answers(
    hass: HomeAssistant, model_server: ModelServer
) -> None:
    result = await start_url_flow(hass, f"{model_server.base_url}/{SMOKE_LLM.name}", SMOKE_SHA256)
    result = await finish(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    entry = result["result"]
    downloaded = models_dir(hass) / SMOKE_LLM.name
    assert entry.data == {CONF_MODEL_PATH: str(downloaded), CONF_MODEL_SHA256: SMOKE_SHA256}
    assert hashlib.sha256(downloaded.read_bytes()).hexdigest() == SMOKE_SHA256
    await hass.async_block_till_done()
    hass.config_entries.async_update_entry(entry, options={**entry.options, "prefer_local_intents": False})
    await hass.async_block_till_done()
    reply = await ask(hass, "Say hello.")
    assert speech(reply)
    assert entry.runtime_data.last_generation is not None  # the downloaded model answered
    await hass.config_entries.async_unload(entry.entry_id)


async def test_link_without_a_hash_pins_the_computed_one(hass: HomeAssistant, model_server: ModelServer) -> None:
    result = await finish(hass, await start_url_flow(hass, f"{model_server.base_url}/{SMOKE_LLM.name}", None))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].data[CONF_MODEL_SHA256] == SMOKE_SHA256
    await hass.config_entries.async_unload(result["result"].entry_id)


async def test_wrong_checksum_aborts_and_keeps_no_file(hass: HomeAssistant, model_server: ModelServer) -> None:
    result = await start_url_flow(hass, f"{model_server.base_url}/{SMOKE_LLM.name}", "0" * 64)
    result = await finish(hass, result)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "download_checksum_mismatch"
    assert not any(models_dir(hass).glob("*"))
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_missing_file_on_the_server_aborts(hass: HomeAssistant, model_server: ModelServer) -> None:
    result = await finish(hass, await start_url_flow(hass, f"{model_server.base_url}/nothing-here.gguf", None))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "download_http_error"
    assert hass.config_entries.async_entries(DOMAIN) == []


@pytest.mark.parametrize(
    ("url", "sha256", "field"),
    [("ftp://x/model.gguf", None, "url"), ("http://x/a.zip", None, "url"), ("http://x/m.gguf", "abc", "sha256")],
)
async def test_bad_link_or_hash_is_refused_before_downloading(
    hass: HomeAssistant, model_server: ModelServer, url: str, sha256: str | None, field: str
) -> None:
    result = await start_url_flow(hass, url, sha256)
    assert result["type"] is FlowResultType.FORM
    assert field in result["errors"]
    assert model_server.requests == []


async def test_catalog_model_downloads_and_reuses_a_verified_file(
    hass: HomeAssistant, model_server: ModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The publishers cannot be reached from here: point the catalog's entry at the local server.
    real = {model.id: model for model in load_catalog()}["smollm2-135m-instruct-q4_1"]
    local = type(real)(**{**real.__dict__, "url": f"{model_server.base_url}/{SMOKE_LLM.name}"})
    monkeypatch.setattr(config_flow, "load_catalog", lambda: [local])

    for attempt in range(2):
        result = await start_local_model_flow(hass)
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "catalog"})
        assert result["step_id"] == "catalog"
        result = await hass.config_entries.flow.async_configure(result["flow_id"], {"catalog_model": local.id})
        result = await finish(hass, dict(result))
        assert result["type"] is FlowResultType.CREATE_ENTRY
        entry = result["result"]
        assert entry.data[CONF_MODEL_SHA256] == SMOKE_SHA256
        if attempt == 0:
            assert len(model_server.requests) == 1
            await hass.config_entries.async_remove(entry.entry_id)
    assert len(model_server.requests) == 1  # the second time the verified file was reused
    await hass.config_entries.async_unload(entry.entry_id)


async def test_catalog_lists_llms_with_size_ram_and_licence(hass: HomeAssistant) -> None:
    result = await start_local_model_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "catalog"})
    options = result["data_schema"].schema["catalog_model"].config["options"]
    labels = {option["value"]: option["label"] for option in options}
    assert "qwen2.5-coder-0.5b-instruct-q4_k_m" in labels
    assert "491 MB" in labels["qwen2.5-coder-0.5b-instruct-q4_k_m"]
    assert "Apache-2.0" in labels["qwen2.5-coder-0.5b-instruct-q4_k_m"]
    assert "GB RAM" in labels["qwen2.5-coder-0.5b-instruct-q4_k_m"]
    assert all("whisper" not in value for value in labels)


async def test_closing_the_dialog_cancels_the_download(hass: HomeAssistant, model_server: ModelServer) -> None:
    result = await start_url_flow(hass, f"{model_server.base_url}/{SMOKE_LLM.name}", SMOKE_SHA256)
    assert result["type"] is FlowResultType.SHOW_PROGRESS
    hass.config_entries.flow.async_abort(result["flow_id"])
    await hass.async_block_till_done()
    assert not (models_dir(hass) / SMOKE_LLM.name).exists()
    assert hass.config_entries.async_entries(DOMAIN) == []
