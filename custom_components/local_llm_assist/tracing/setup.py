"""Starting and stopping tracing for an entry.

When the user turns it on, wandb is installed on demand (it is large and most homes never
need it), a writer thread takes finished traces from a bounded queue, and the run is finished
when the entry unloads or Home Assistant stops. A W&B outage is reported once (a log line and
a repair issue), a rejected API key starts a re-authentication; turns never wait for either.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.requirements import async_process_requirements

from ..const import (
    CONF_ENGINE,
    CONF_MODEL_PATH,
    CONF_MODEL_SHA256,
    CONF_SERVER_MODEL,
    CONF_SERVER_URL,
    DOMAIN,
    LOGGER,
)
from ..runtime import LocalLlmConfigEntry
from .recorder import Tracer
from .settings import TRACES_FOLDER, WANDB_REQUIREMENT, ModelInfo, TracingSettings
from .wandb_writer import ApiKeyRejectedError, WandbUnreachableError, WandbWriter, WriterState, check_api_key

REPAIR_TRACING_UNREACHABLE = "tracing_unreachable"


async def async_install_wandb(hass: HomeAssistant) -> bool:
    """Install the W&B client with Home Assistant's own requirements machinery (no-op when present)."""
    try:
        await async_process_requirements(hass, DOMAIN, [WANDB_REQUIREMENT])
    except HomeAssistantError as err:
        LOGGER.error("Could not install %s for tracing: %s", WANDB_REQUIREMENT, err)
        return False
    return True


async def async_check_api_key(hass: HomeAssistant, base_url: str, api_key: str) -> str | None:
    """None if W&B accepts the key, else the form error key."""
    try:
        await hass.async_add_executor_job(check_api_key, base_url, api_key)
    except ApiKeyRejectedError:
        return "invalid_auth"
    except WandbUnreachableError:
        return "cannot_connect"
    return None


async def async_setup_tracing(hass: HomeAssistant, entry: LocalLlmConfigEntry) -> Tracer | None:
    """Start tracing if the user turned it on; a problem here never stops the agent from loading."""
    settings = TracingSettings.from_entry(entry.data, entry.options)
    if not settings.enabled or not await async_install_wandb(hass):
        return None
    model = _traced_model(entry)
    run_dir = Path(hass.config.path(TRACES_FOLDER))
    writer = WandbWriter(settings, model, run_dir, _state_reporter(hass, entry))
    writer.start()

    async def async_stop(_: Event | None = None) -> None:
        await hass.async_add_executor_job(writer.stop)
        ir.async_delete_issue(hass, DOMAIN, _issue_id(entry))

    entry.async_on_unload(async_stop)
    # Not listen_once: the entry may still unload after the event, and stopping twice is harmless.
    entry.async_on_unload(hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, async_stop))
    return Tracer(settings, model, writer)


def _traced_model(entry: LocalLlmConfigEntry) -> ModelInfo:
    """The model file; for a model server, the model's name and the server's address (never its key)."""
    if model_path := entry.data.get(CONF_MODEL_PATH):
        return ModelInfo(Path(model_path).name, model_path, entry.data.get(CONF_MODEL_SHA256))
    name = entry.data.get(CONF_SERVER_MODEL) or entry.data.get(CONF_ENGINE, "server")
    return ModelInfo(str(name), str(entry.data.get(CONF_SERVER_URL, "")), None)


def _issue_id(entry: LocalLlmConfigEntry) -> str:
    return f"{REPAIR_TRACING_UNREACHABLE}_{entry.entry_id}"


def _state_reporter(hass: HomeAssistant, entry: LocalLlmConfigEntry) -> Callable[[WriterState, str | None], None]:
    """Called from the writer thread on each change of state; reports once per change, on the event loop."""

    @callback
    def report(state: WriterState, error: str | None) -> None:
        if state is WriterState.UNREACHABLE:
            LOGGER.warning("Tracing to W&B is paused, turns are not affected; retrying later: %s", error)
            ir.async_create_issue(
                hass,
                DOMAIN,
                _issue_id(entry),
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=REPAIR_TRACING_UNREACHABLE,
                translation_placeholders={"title": entry.title, "error": error or ""},
            )
        elif state is WriterState.AUTH_REJECTED:
            LOGGER.warning("W&B rejected the API key; tracing stops until it is renewed")
            entry.async_start_reauth(hass)
        elif state is WriterState.WRITING:
            ir.async_delete_issue(hass, DOMAIN, _issue_id(entry))

    def report_from_thread(state: WriterState, error: str | None) -> None:
        if not hass.loop.is_closed():
            hass.loop.call_soon_threadsafe(report, state, error)

    return report_from_thread
