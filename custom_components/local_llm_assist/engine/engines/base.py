"""What every engine offers: the one interface the agent, the eval and the bench call."""

from __future__ import annotations

from typing import Any, Protocol

from ..data import GenerationRequest, GenerationResult


class LlmEngine(Protocol):
    """Where the language model runs. Every engine gets the same prompt and constraint and returns
    raw text plus what it cost; the parser, the target checks and the traces come after it."""

    kind: str  # "worker", "llamacpp_server", "openai_compatible": for traces and diagnostics

    async def start(self) -> None:
        """Get ready to answer (load the model); raises EngineError when it cannot."""

    async def generate(self, request: GenerationRequest) -> GenerationResult:
        """One model call; raises an EngineError subclass with a stable code when it fails."""

    async def stop(self) -> None:
        """Release what the engine holds (a worker process); a server is left running."""

    def describe(self) -> dict[str, Any]:
        """Settings and health for diagnostics. Never contains a secret."""
