"""What a loaded config entry holds while it runs (`entry.runtime_data`)."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from .engine.data import GenerationResult, LlmSettings
from .engine.worker import WorkerClient

if TYPE_CHECKING:
    from .tracing import Tracer

RECENT_GENERATIONS = 100


@dataclass
class LocalLlmRuntime:
    client: WorkerClient
    llm_settings: LlmSettings
    generations: deque[GenerationResult] = field(default_factory=lambda: deque(maxlen=RECENT_GENERATIONS))
    generation_count: int = 0
    warm_up: asyncio.Task[None] | None = None
    tracer: Tracer | None = None  # set when the user turned tracing on

    @property
    def last_generation(self) -> GenerationResult | None:
        return self.generations[-1] if self.generations else None

    def record(self, result: GenerationResult) -> None:
        self.generations.append(result)
        self.generation_count += 1


type LocalLlmConfigEntry = ConfigEntry[LocalLlmRuntime]
