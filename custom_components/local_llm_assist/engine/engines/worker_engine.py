"""This machine: the model in our own worker process (see engine/worker.py), behind the engine interface."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..data import GenerationRequest, GenerationResult, LlmSettings
from ..worker import WorkerClient


class WorkerEngine:
    """A GGUF file loaded by llama.cpp in the worker; the client may serve speech-to-text as well."""

    kind = "worker"

    def __init__(self, client: WorkerClient, settings: LlmSettings) -> None:
        self.client = client
        self.settings = settings

    async def start(self) -> None:
        await self.client.load_llm(self.settings)

    async def generate(self, request: GenerationRequest) -> GenerationResult:
        return await self.client.generate(self.settings, request)

    async def stop(self) -> None:
        await self.client.stop()

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "model": asdict(self.settings),
            "running": self.client.pid is not None,
            "restarts": self.client.restarts,
            "consecutive_failures": self.client.consecutive_failures,
            "request_timeout": self.client.request_timeout,
        }
