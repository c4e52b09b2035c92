"""Is this model usable here? Checked before an entry is created and each time it is set up.

The check installs the local engine if needed, loads the model in a throw-away worker (or the
entry's own) and runs a real short generation from a prompt of a few hundred tokens: a model
that loads but dies on its first real prompt (a llama.cpp build using an instruction this CPU
lacks) fails here, with the cause, instead of at the user's first command.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from .const import LOGGER
from .engine.crash import CrashCause
from .engine.data import LlmSettings
from .engine.errors import EngineError, WorkerCrashedError, WorkerTimeoutError
from .engine.llm import check_model_file
from .engine.probe import PROBE_REQUEST, PROBE_TIMEOUT, check_probe_result, probe_settings
from .engine.worker import WorkerClient
from .local_engine import async_install_llama_cpp

CRASH_ERROR_PREFIX = "model_crashed_"


def crash_error(cause: CrashCause | None) -> str:
    """The translation key that explains a worker crash (config flow error, set-up error)."""
    return f"{CRASH_ERROR_PREFIX}{cause or CrashCause.EXITED}"


async def async_validate_model(hass: HomeAssistant, path: str) -> str | None:
    """Return an error key, or None when the file is GGUF, loads, and answers a real prompt."""
    if error := await async_install_llama_cpp(hass):
        return error
    try:
        await hass.async_add_executor_job(check_model_file, path)
    except EngineError as err:
        return err.code
    client = WorkerClient()
    settings = probe_settings(path)
    try:
        try:
            await client.load_llm(settings)
        except WorkerCrashedError as err:
            LOGGER.error("The model %s crashed while loading: %s", path, err)
            return crash_error(err.cause)
        except EngineError as err:
            LOGGER.error("The model %s could not be loaded: %s", path, err)
            return "model_load_failed"
        return await async_probe(client, settings)
    finally:
        await client.stop()


async def async_probe(client: WorkerClient, settings: LlmSettings) -> str | None:
    """Run the probe generation on a loaded model; None when it answered, else the error key."""
    try:
        # Its own time limit: the entry's limit is about how long a turn may take, not whether it runs.
        check_probe_result(await client.generate(settings, PROBE_REQUEST, time_limit=PROBE_TIMEOUT))
    except EngineError as err:
        LOGGER.error("The model %s failed its test prompt: %s", settings.model_path, err)
        if isinstance(err, WorkerCrashedError):
            return crash_error(err.cause)
        return "model_probe_timeout" if isinstance(err, WorkerTimeoutError) else "model_probe_failed"
    return None
