"""Local LLM Assist: a fully local voice assistant (llama.cpp agent, faster-whisper speech-to-text)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from . import compat
from .const import (
    CONF_ADAPTER_PATH,
    CONF_ADAPTER_SCALE,
    CONF_CONTEXT_SIZE,
    CONF_DECODING,
    CONF_MODEL_PATH,
    CONF_REQUEST_TIMEOUT,
    CONF_WHISPER_MODEL_PATH,
    DEFAULT_CONTEXT_SIZE,
    DEFAULT_REQUEST_TIMEOUT,
    DOMAIN,
    ENGINE_WORKER,
    REPAIR_SERVER_UNAVAILABLE,
    REPAIR_WORKER_CRASHING,
)
from .engine.data import LlmSettings, WhisperSettings
from .engine.engines.base import LlmEngine
from .engine.errors import EngineError, WorkerCrashedError
from .engine.worker import WorkerClient
from .engine_setup import create_engine, engine_kind
from .local_engine import async_install_faster_whisper, async_install_llama_cpp
from .model_check import CRASH_ERROR_PREFIX, async_probe, crash_error
from .repairs import async_clear_issues, repair_reporter
from .runtime import LocalLlmConfigEntry, LocalLlmRuntime
from .services import async_setup_services
from .skills.api import async_register_skills_api
from .stt import async_remove_stale_entity
from .tracing.setup import async_setup_tracing
from .voice_pipeline import async_ensure_pipeline

PLATFORMS = [Platform.CONVERSATION]
SPEECH_PLATFORMS = [Platform.STT]  # only with a speech model configured
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Skills and their actions exist once per Home Assistant, whatever the agents."""
    async_register_skills_api(hass)
    async_setup_services(hass)
    return True


def llm_settings_from_entry(entry: LocalLlmConfigEntry) -> LlmSettings:
    decoding = entry.options.get(CONF_DECODING)
    return LlmSettings(
        model_path=entry.data[CONF_MODEL_PATH],
        context_size=int(entry.options.get(CONF_CONTEXT_SIZE, DEFAULT_CONTEXT_SIZE)),
        decoding="llama_grammar" if decoding == "llama_grammar" else "jump_forward",
        adapter_path=entry.data.get(CONF_ADAPTER_PATH),
        adapter_scale=float(entry.data.get(CONF_ADAPTER_SCALE, 1.0)),
    )


def whisper_settings_from_entry(entry: LocalLlmConfigEntry) -> WhisperSettings | None:
    path = entry.options.get(CONF_WHISPER_MODEL_PATH)
    return WhisperSettings(model_path=str(path)) if path else None


def _platforms(whisper: WhisperSettings | None) -> list[Platform]:
    return PLATFORMS + (SPEECH_PLATFORMS if whisper is not None else [])


async def async_setup_entry(hass: HomeAssistant, entry: LocalLlmConfigEntry) -> bool | None:
    """Start the engine before the agent is offered.

    A model on this machine is installed on demand, loaded in the worker and proved by a short real
    generation; a server engine is reached as it is. The worker also serves speech-to-text.
    """
    local = engine_kind(entry.data) == ENGINE_WORKER
    settings = llm_settings_from_entry(entry) if local else None
    whisper = whisper_settings_from_entry(entry)
    await _async_install_local_engine(hass, local, whisper)
    client = WorkerClient(
        request_timeout=float(entry.options.get(CONF_REQUEST_TIMEOUT, DEFAULT_REQUEST_TIMEOUT)),
        # The issue names how the worker last died (an illegal instruction, out of memory...).
        on_health_change=repair_reporter(hass, entry, REPAIR_WORKER_CRASHING, variant=lambda: client.last_crash),
    )
    engine = create_engine(hass, entry, client, settings)
    try:
        whisper_languages = await _async_start(engine, client, settings, whisper)
    except BaseException:
        await client.stop()
        raise
    entry.runtime_data = LocalLlmRuntime(
        client=client,
        llm_settings=settings,
        engine=engine,
        whisper_settings=whisper,
        whisper_languages=whisper_languages,
    )
    entry.runtime_data.tracer = await async_setup_tracing(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, _platforms(whisper))
    if whisper is None:
        async_remove_stale_entity(hass, entry)
    await async_ensure_pipeline(hass, entry)  # before the listener: recording its id is no reason to reload
    entry.async_on_unload(entry.add_update_listener(_async_reload_on_update))
    entry.async_on_unload(hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, _stop_worker_with(client)))
    return compat.entry_set_up()


def _stop_worker_with(client: WorkerClient) -> Callable[[Event], Coroutine[Any, Any, None]]:
    """Home Assistant does not unload entries when it stops: the worker, and a turn it is in the
    middle of, are stopped here, not left to run on until the process exits."""

    async def stop(_event: Event) -> None:
        await client.stop()

    return stop


async def _async_install_local_engine(hass: HomeAssistant, local: bool, whisper: WhisperSettings | None) -> None:
    """llama-cpp-python (for a model on this machine) and faster-whisper (for speech), installed on demand."""
    error = await async_install_llama_cpp(hass) if local else None
    if error is None and whisper is not None:
        error = await async_install_faster_whisper(hass)
    if error is not None:
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key=error)


async def _async_start(
    engine: LlmEngine, client: WorkerClient, settings: LlmSettings | None, whisper: WhisperSettings | None
) -> list[str]:
    """Start the engine, probe a local model and load the speech model; returns its languages.

    A worker that crashes here will crash again (a CPU it cannot run on, too little memory for
    this model): that is an error the user must act on, not a reason to retry.
    """
    try:
        await engine.start()
        if settings is not None and (probe_error := await async_probe(client, settings)):
            raise _set_up_error(probe_error)
        languages = (await client.load_whisper(whisper))["languages"] if whisper is not None else []
    except WorkerCrashedError as err:
        raise _set_up_error(crash_error(err.cause)) from err
    except EngineError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key=err.code, translation_placeholders={"error": str(err)}
        ) from err
    return [str(language) for language in languages]


def _set_up_error(key: str) -> ConfigEntryError | ConfigEntryNotReady:
    """A crash is final until the user acts; a slow or failed probe may pass on the next try."""
    error_type = ConfigEntryError if key.startswith(CRASH_ERROR_PREFIX) else ConfigEntryNotReady
    return error_type(translation_domain=DOMAIN, translation_key=key)


async def async_unload_entry(hass: HomeAssistant, entry: LocalLlmConfigEntry) -> bool:
    """Unload the agent, then stop the worker, which frees the model's memory."""
    # The platforms set up with the settings it was loaded with (the options may have changed since).
    loaded_platforms = _platforms(entry.runtime_data.whisper_settings)
    if not await hass.config_entries.async_unload_platforms(entry, loaded_platforms):
        return False
    await entry.runtime_data.engine.stop()
    await entry.runtime_data.client.stop()
    async_clear_issues(hass, entry, REPAIR_WORKER_CRASHING, REPAIR_SERVER_UNAVAILABLE)
    return True


async def _async_reload_on_update(hass: HomeAssistant, entry: LocalLlmConfigEntry) -> None:
    await hass.config_entries.async_reload(entry.entry_id)
