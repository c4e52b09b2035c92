"""llama.cpp runtime, used only inside the worker process.

One `Llama` object stays loaded per model file: llama-cpp-python keeps the evaluated tokens in
its KV cache and re-evaluates only what follows the longest common prefix with the previous
prompt, so the static system prompt (instructions, tools, devices) is paid for once.
Compiled grammars are cached too: the tool list changes rarely.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .data import GenerationRequest, GenerationResult, LlmSettings
from .errors import ModelLoadError

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_grammar import LlamaGrammar

GGUF_MAGIC = b"GGUF"
MAX_CACHED_GRAMMARS = 8


def check_model_file(path: str) -> None:
    """Fail with a precise code before handing a file to native code."""
    file = Path(path)
    if not file.is_file():
        raise ModelLoadError("model_not_found", f"no file at {path}")
    with file.open("rb") as handle:
        if handle.read(4) != GGUF_MAGIC:
            raise ModelLoadError("model_not_gguf", f"{path} is not a GGUF file")


class LlamaRuntime:
    """Holds loaded models by settings and runs generations on them."""

    def __init__(self) -> None:
        self._models: dict[LlmSettings, Llama] = {}
        self._grammars: dict[str, LlamaGrammar] = {}

    def load(self, settings: LlmSettings) -> dict[str, Any]:
        if settings in self._models:
            return {"already_loaded": True}
        check_model_file(settings.model_path)
        from llama_cpp import Llama  # heavy import, only in the worker

        started = time.monotonic()
        try:
            model = Llama(
                model_path=settings.model_path,
                n_ctx=settings.context_size,
                n_threads=settings.threads or max(1, (os.cpu_count() or 2)),
                verbose=False,
            )
        except (ValueError, RuntimeError) as err:
            raise ModelLoadError("model_load_failed", str(err)) from err
        self._models[settings] = model
        return {"load_ms": (time.monotonic() - started) * 1000, "context_size": model.n_ctx()}

    def unload(self, settings: LlmSettings) -> None:
        model = self._models.pop(settings, None)
        if model is not None:
            model.close()

    def generate(self, settings: LlmSettings, request: GenerationRequest) -> GenerationResult:
        model = self._models.get(settings)
        if model is None:
            raise ModelLoadError("model_not_loaded", f"{settings.model_path} is not loaded")
        previous_tokens = _evaluated_tokens(model)
        started = time.monotonic()
        first_token_at: float | None = None
        pieces: list[str] = []
        for chunk in model.create_chat_completion(
            messages=[{"role": m.role, "content": m.content} for m in request.messages],  # type: ignore[misc]
            grammar=self._grammar(request.grammar),
            temperature=request.temperature,
            max_tokens=request.max_tokens,
            stream=True,
        ):
            if first_token_at is None:
                first_token_at = time.monotonic()
            delta: dict[str, Any] = chunk["choices"][0]["delta"]  # type: ignore[index,assignment]
            pieces.append(str(delta.get("content") or ""))
        finished = time.monotonic()
        first_token_at = first_token_at or finished
        return self._result("".join(pieces), model, previous_tokens, started, first_token_at, finished)

    def _grammar(self, text: str | None) -> LlamaGrammar | None:
        if text is None:
            return None
        grammar = self._grammars.get(text)
        if grammar is None:
            from llama_cpp.llama_grammar import LlamaGrammar

            if len(self._grammars) >= MAX_CACHED_GRAMMARS:
                self._grammars.pop(next(iter(self._grammars)))
            grammar = self._grammars[text] = LlamaGrammar.from_string(text, verbose=False)
        return grammar

    @staticmethod
    def _result(
        text: str, model: Llama, previous: list[int], started: float, first_token: float, finished: float
    ) -> GenerationResult:
        current = _evaluated_tokens(model)
        completion_tokens = len(model.tokenize(text.encode(), add_bos=False, special=False)) if text else 0
        prompt_tokens = max(0, len(current) - completion_tokens)
        cached = 0
        for old, new in zip(previous, current[:prompt_tokens], strict=False):
            if old != new:
                break
            cached += 1
        return GenerationResult(
            text=text,
            prompt_tokens=prompt_tokens,
            cached_prompt_tokens=cached,
            completion_tokens=completion_tokens,
            prompt_ms=(first_token - started) * 1000,
            generation_ms=(finished - first_token) * 1000,
        )


def _evaluated_tokens(model: Llama) -> list[int]:
    """The tokens now in the model's KV cache (what the next prompt can reuse)."""
    return [int(token) for token in model.input_ids[: model.n_tokens]]
