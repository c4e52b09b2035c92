"""What a loaded config entry holds while it runs (`entry.runtime_data`)."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .engine.data import GenerationResult, LlmSettings
from .engine.worker import WorkerClient


@dataclass
class LocalLlmRuntime:
    client: WorkerClient
    llm_settings: LlmSettings
    last_generation: GenerationResult | None = None


type LocalLlmConfigEntry = ConfigEntry[LocalLlmRuntime]
