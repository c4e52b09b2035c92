"""Local LLM Assist: a fully local voice assistant (llama.cpp conversation agent)."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import issue_registry as ir

from .const import (
    CONF_CONTEXT_SIZE,
    CONF_MODEL_PATH,
    CONF_REQUEST_TIMEOUT,
    DEFAULT_CONTEXT_SIZE,
    DEFAULT_REQUEST_TIMEOUT,
    DOMAIN,
    REPAIR_WORKER_CRASHING,
)
from .engine.data import LlmSettings
from .engine.errors import EngineError
from .engine.worker import WorkerClient
from .runtime import LocalLlmConfigEntry, LocalLlmRuntime
from .tracing import async_setup_tracing

PLATFORMS = [Platform.CONVERSATION]


def llm_settings_from_entry(entry: LocalLlmConfigEntry) -> LlmSettings:
    return LlmSettings(
        model_path=entry.data[CONF_MODEL_PATH],
        context_size=int(entry.options.get(CONF_CONTEXT_SIZE, DEFAULT_CONTEXT_SIZE)),
    )


async def async_setup_entry(hass: HomeAssistant, entry: LocalLlmConfigEntry) -> bool:
    """Start the model worker and load the model before the agent is offered."""
    client = WorkerClient(
        request_timeout=float(entry.options.get(CONF_REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT)),
        on_health_change=_repair_reporter(hass, entry),
    )
    settings = llm_settings_from_entry(entry)
    try:
        await client.load_llm(settings)
    except EngineError as err:
        await client.stop()
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key=err.code, translation_placeholders={"error": str(err)}
        ) from err
    entry.runtime_data = LocalLlmRuntime(client=client, llm_settings=settings)
    entry.runtime_data.tracer = await async_setup_tracing(hass, entry)
    entry.async_on_unload(entry.add_update_listener(_async_reload_on_update))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: LocalLlmConfigEntry) -> bool:
    """Unload the agent, then stop the worker, which frees the model's memory."""
    if not await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        return False
    await entry.runtime_data.client.stop()
    ir.async_delete_issue(hass, DOMAIN, f"{REPAIR_WORKER_CRASHING}_{entry.entry_id}")
    return True


async def _async_reload_on_update(hass: HomeAssistant, entry: LocalLlmConfigEntry) -> None:
    await hass.config_entries.async_reload(entry.entry_id)


def _repair_reporter(hass: HomeAssistant, entry: LocalLlmConfigEntry) -> Callable[[bool], None]:
    """A callback that raises (or clears) a repair issue when the worker keeps failing."""
    issue_id = f"{REPAIR_WORKER_CRASHING}_{entry.entry_id}"

    @callback
    def report(healthy: bool) -> None:
        if healthy:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=REPAIR_WORKER_CRASHING,
            translation_placeholders={"title": entry.title},
        )

    return report
