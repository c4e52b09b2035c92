"""Which engine answers an entry's turns, and the check a model server passes before an entry is made.

Entry data says where the language model runs (const.CONF_ENGINE): this machine (our worker, and
every entry made before servers existed), a llama.cpp server, or an OpenAI-compatible server.
Servers are reached through Home Assistant's shared aiohttp session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .const import (
    CONF_ENGINE,
    CONF_SERVER_API_KEY,
    CONF_SERVER_MODEL,
    CONF_SERVER_URL,
    DEFAULT_REQUEST_TIMEOUT,
    ENGINE_LLAMACPP_SERVER,
    ENGINE_OPENAI,
    ENGINE_WORKER,
    LOGGER,
    REPAIR_SERVER_UNAVAILABLE,
)
from .engine.data import LlmSettings
from .engine.engines.base import LlmEngine
from .engine.engines.chat_server import ChatServerEngine, ServerSettings
from .engine.engines.llamacpp_server import LlamaCppServerEngine
from .engine.engines.openai_compatible import OpenAiCompatibleEngine
from .engine.engines.probe import probe_engine
from .engine.engines.worker_engine import WorkerEngine
from .engine.errors import EngineError, InvalidModelOutputError
from .engine.worker import WorkerClient
from .repairs import repair_reporter
from .runtime import LocalLlmConfigEntry

SERVER_ENGINES: dict[str, type[ChatServerEngine]] = {
    ENGINE_LLAMACPP_SERVER: LlamaCppServerEngine,
    ENGINE_OPENAI: OpenAiCompatibleEngine,
}
# A server's answer that parses but is not in the product's format: it ignored the constraint.
SERVER_UNCONSTRAINED = "server_unconstrained"
# The set-up check may be a server's first request, which can load the model (Ollama loads on demand).
CHECK_TIMEOUT = 180.0


def engine_kind(data: Mapping[str, Any]) -> str:
    return str(data.get(CONF_ENGINE, ENGINE_WORKER))


def server_settings(data: Mapping[str, Any], request_timeout: float = DEFAULT_REQUEST_TIMEOUT) -> ServerSettings:
    return ServerSettings(
        url=str(data[CONF_SERVER_URL]),
        model=data.get(CONF_SERVER_MODEL) or None,
        api_key=data.get(CONF_SERVER_API_KEY) or None,
        request_timeout=request_timeout,
    )


def create_server_engine(
    hass: HomeAssistant,
    kind: str,
    settings: ServerSettings,
    on_health_change: Callable[[bool], None] | None = None,
) -> ChatServerEngine:
    return SERVER_ENGINES[kind](async_get_clientsession(hass), settings, on_health_change=on_health_change)


def create_engine(
    hass: HomeAssistant, entry: LocalLlmConfigEntry, client: WorkerClient, llm_settings: LlmSettings | None
) -> LlmEngine:
    """The worker engine for a model file on this machine, else the entry's server engine."""
    kind = engine_kind(entry.data)
    if kind == ENGINE_WORKER:
        assert llm_settings is not None  # entries on this machine always name a model file
        return WorkerEngine(client, llm_settings)
    settings = server_settings(entry.data, client.request_timeout)
    reporter = repair_reporter(hass, entry, REPAIR_SERVER_UNAVAILABLE, url=settings.url)
    return create_server_engine(hass, kind, settings, reporter)


async def async_validate_server(hass: HomeAssistant, kind: str, settings: ServerSettings) -> str | None:
    """An error key, or None once a short real generation through the server came back in the product's format."""
    try:
        await probe_engine(create_server_engine(hass, kind, replace(settings, request_timeout=CHECK_TIMEOUT)))
    except InvalidModelOutputError as err:
        LOGGER.warning("The model server at %s does not answer in the required format: %s", settings.url, err)
        return SERVER_UNCONSTRAINED
    except EngineError as err:
        LOGGER.warning("The model server at %s cannot be used: %s", settings.url, err)
        return err.code
    return None
