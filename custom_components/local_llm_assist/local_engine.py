"""Installing the local engine on demand: llama-cpp-python (with llguidance) and faster-whisper.

Only a user who runs models on this machine needs them, and they do not install everywhere
Home Assistant runs (llama-cpp-python builds from source, which needs a compiler that Home
Assistant OS and the official container lack). So they are installed through Home Assistant's
own requirements machinery when the user picks a local model or speech model, and at set-up of
an entry that uses one, which costs nothing once they are installed. Whatever the installer says,
the package must then be importable, since the worker imports it.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.requirements import async_process_requirements

from .const import DOMAIN, FASTER_WHISPER_REQUIREMENT, LLAMA_CPP_REQUIREMENT, LLGUIDANCE_REQUIREMENT, LOGGER


@dataclass(frozen=True)
class NativePackage:
    requirements: tuple[str, ...]
    modules: tuple[str, ...]  # what the worker imports
    error: str  # the translation key of the message when they cannot be installed


LLAMA_CPP = NativePackage(
    (LLAMA_CPP_REQUIREMENT, LLGUIDANCE_REQUIREMENT), ("llama_cpp", "llguidance"), "llama_cpp_install_failed"
)
FASTER_WHISPER = NativePackage((FASTER_WHISPER_REQUIREMENT,), ("faster_whisper",), "faster_whisper_install_failed")


async def async_install_llama_cpp(hass: HomeAssistant) -> str | None:
    """For a language model on this machine; None when usable, else the error key."""
    return await _async_install(hass, LLAMA_CPP)


async def async_install_faster_whisper(hass: HomeAssistant) -> str | None:
    """For a speech model on this machine; None when usable, else the error key."""
    return await _async_install(hass, FASTER_WHISPER)


async def _async_install(hass: HomeAssistant, package: NativePackage) -> str | None:
    """Install the packages if they are missing; None when they are usable, else the error key."""
    try:
        await async_process_requirements(hass, DOMAIN, list(package.requirements))
    except HomeAssistantError as err:
        LOGGER.error("Could not install %s to run models on this machine: %s", ", ".join(package.requirements), err)
        return package.error
    for module in package.modules:
        if not await hass.async_add_executor_job(_importable, module):
            LOGGER.error("%s is installed but %s cannot be imported", ", ".join(package.requirements), module)
            return package.error
    return None


def _importable(module: str) -> bool:
    """Found on the path, without importing it: the native library loads only in the worker."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
