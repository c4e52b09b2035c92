"""What a loaded config entry holds while it runs (`entry.runtime_data`)."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field

from homeassistant.config_entries import ConfigEntry

from .engine.data import GenerationResult, LlmSettings, Transcript, WhisperSettings
from .engine.engines.base import LlmEngine
from .engine.worker import WorkerClient
from .tracing.recorder import Tracer

RECENT_GENERATIONS = 100
RECENT_TRANSCRIPTS = 100


@dataclass
class LocalLlmRuntime:
    client: WorkerClient  # this machine's worker: the language model (worker engine) and speech-to-text
    llm_settings: LlmSettings | None  # None: the language model runs on a server
    engine: LlmEngine  # where the agent's generations go
    generations: deque[GenerationResult] = field(default_factory=lambda: deque(maxlen=RECENT_GENERATIONS))
    generation_count: int = 0
    warm_up: asyncio.Task[None] | None = None
    whisper_settings: WhisperSettings | None = None  # None: no speech model, no STT entity
    whisper_languages: list[str] = field(default_factory=list)
    # Text and timings of recent transcriptions (audio length, decoding time, model), for traces.
    transcripts: deque[Transcript] = field(default_factory=lambda: deque(maxlen=RECENT_TRANSCRIPTS))
    tracer: Tracer | None = None  # set when the user turned tracing on

    @property
    def last_generation(self) -> GenerationResult | None:
        return self.generations[-1] if self.generations else None

    @property
    def last_transcript(self) -> Transcript | None:
        return self.transcripts[-1] if self.transcripts else None

    def record(self, result: GenerationResult) -> None:
        self.generations.append(result)
        self.generation_count += 1


type LocalLlmConfigEntry = ConfigEntry[LocalLlmRuntime]
