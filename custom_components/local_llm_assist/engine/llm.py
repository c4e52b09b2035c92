"""llama.cpp runtime, used only inside the worker process.

One `Llama` object stays loaded per model file: the decoder keeps the evaluated tokens in its KV
cache and re-evaluates only what follows the longest common prefix with the previous prompt, so the
static system prompt (instructions, tools, devices) is paid for once. Decoding under the grammar is
engine/decoding.py (jump-forward over the tokens the grammar forces).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .data import ChatMessage, GenerationRequest, GenerationResult, LlmSettings
from .decoding import Decoded, Decoder, GrammarCompiler, GrammarRejectedError, vocabulary_tokenizer
from .errors import GenerationCancelledError, ModelLoadError
from .gguf_header import GgufHeaderError, string_fields
from .prefix_states import PrefixStates, cache_folder

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter
    from llama_cpp.llama_grammar import LlamaGrammar

_LOGGER = logging.getLogger(__name__)
MAX_CACHED_GRAMMARS = 8

GGUF_MAGIC = b"GGUF"


def check_model_file(path: str) -> None:
    """Fail with a precise code before handing a file to native code."""
    _check_gguf(path, "model_not_found", "model_not_gguf")


def check_adapter_file(path: str) -> None:
    """The same for a LoRA adapter: a missing or foreign file gets its own code, not the model's.

    A GGUF that is not a LoRA adapter (a model file, say) is refused here: llama.cpp would apply nothing, silently.
    """
    _check_gguf(path, "adapter_not_found", "adapter_invalid")
    try:
        fields = string_fields(Path(path), {"general.type", "adapter.type"})
    except GgufHeaderError as err:
        raise ModelLoadError("adapter_invalid", f"{path}: {err}") from err
    if (fields.get("general.type"), fields.get("adapter.type")) != ("adapter", "lora"):
        raise ModelLoadError("adapter_invalid", f"{path} is not a LoRA adapter")


def _check_gguf(path: str, missing: str, foreign: str) -> None:
    file = Path(path)
    if not file.is_file():
        raise ModelLoadError(missing, f"no file at {path}")
    with file.open("rb") as handle:
        if handle.read(4) != GGUF_MAGIC:
            raise ModelLoadError(foreign, f"{path} is not a GGUF file")


@dataclass
class LoadedModel:
    """A model in memory with what turns chat messages into its tokens and decodes its answers."""

    llama: Llama
    formatter: Jinja2ChatFormatter
    decoder: Decoder
    llama_grammars: dict[str, LlamaGrammar] = field(default_factory=dict)

    def prompt_tokens(self, messages: list[ChatMessage]) -> list[int]:
        """The messages in the model's own chat template, ready for the assistant's answer."""
        return chat_tokens(self.llama, self.formatter, messages)


def chat_tokens(llama: Llama, formatter: Jinja2ChatFormatter, messages: list[ChatMessage]) -> list[int]:
    """The messages in the model's own chat template, as tokens (fine-tuning renders its data with this too)."""
    chat = [{"role": m.role, "content": m.content} for m in messages]
    formatted = formatter(messages=chat)  # type: ignore[arg-type]
    tokens: list[int] = llama.tokenize(
        formatted.prompt.encode("utf-8"), add_bos=not formatted.added_special, special=True
    )
    return tokens


class LlamaRuntime:
    """Holds loaded models by settings and runs generations on them."""

    def __init__(self) -> None:
        self._models: dict[LlmSettings, LoadedModel] = {}

    def load(self, settings: LlmSettings) -> dict[str, Any]:
        if settings in self._models:
            return {"already_loaded": True}
        check_model_file(settings.model_path)
        if settings.adapter_path is not None:
            check_adapter_file(settings.adapter_path)
        started = time.monotonic()
        llama = _open(settings)
        saved = PrefixStates(cache_folder(settings.model_path, llama.n_ctx(), _adapter_identity(settings)))
        decoder = Decoder(llama, GrammarCompiler(vocabulary_tokenizer(llama)), saved)
        self._models[settings] = LoadedModel(llama, chat_formatter(llama), decoder)
        return {"load_ms": (time.monotonic() - started) * 1000, "context_size": llama.n_ctx()}

    def unload(self, settings: LlmSettings) -> None:
        loaded = self._models.pop(settings, None)
        if loaded is not None:
            loaded.llama.close()

    def generate(
        self, settings: LlmSettings, request: GenerationRequest, cancelled: Callable[[], bool] = lambda: False
    ) -> GenerationResult:
        loaded = self._models.get(settings)
        if loaded is None:
            raise ModelLoadError("model_not_loaded", f"{settings.model_path} is not loaded")
        prompt = loaded.prompt_tokens(request.messages)
        decoded: Decoded | None = None
        if settings.decoding == "jump_forward":
            try:
                decoded = loaded.decoder.decode(
                    prompt,
                    request.grammar,
                    temperature=request.temperature,
                    max_tokens=request.max_tokens,
                    cancelled=cancelled,
                    saved_prompts=request.saved_prompts,
                )
            except GrammarRejectedError as err:
                _LOGGER.warning("llguidance cannot compile this grammar (%s); using llama.cpp's sampler", err)
        if decoded is None:
            decoded = _decode_with_llama_grammar(loaded, prompt, request, cancelled)
        return GenerationResult(
            text=decoded.text,
            prompt_tokens=decoded.prompt_tokens,
            cached_prompt_tokens=decoded.cached_prompt_tokens,
            completion_tokens=decoded.completion_tokens,
            prompt_ms=decoded.prompt_ms,
            generation_ms=decoded.generation_ms,
            sampled_tokens=decoded.sampled_tokens,
            forced_tokens=decoded.forced_tokens,
        )


def _decode_with_llama_grammar(
    loaded: LoadedModel, prompt: list[int], request: GenerationRequest, cancelled: Callable[[], bool]
) -> Decoded:
    """llama.cpp's own grammar sampler: every token sampled, one decode step each.

    The prompt is read first as jump-forward decoding reads it (in chunks a cancel can stop between,
    from a saved state after a restart): llama-cpp-python would read it in one uninterruptible call,
    and a worker killed in the middle of a long prompt starts cold again, over and over.
    """
    from llama_cpp import StoppingCriteriaList

    llama = loaded.llama
    started = time.monotonic()
    cached = loaded.decoder.read_prompt(prompt, cancelled, saved_prompts=request.saved_prompts)
    first_token_at: float | None = None
    pieces: list[str] = []
    for chunk in llama.create_completion(
        prompt,
        grammar=_llama_grammar(loaded, request.grammar),
        temperature=request.temperature,
        max_tokens=request.max_tokens,
        stream=True,
        stopping_criteria=StoppingCriteriaList([lambda _tokens, _logits: cancelled()]),
    ):
        first_token_at = first_token_at or time.monotonic()
        pieces.append(str(chunk["choices"][0]["text"]))  # type: ignore[index]
    if cancelled():
        raise GenerationCancelledError("the generation was cancelled")
    finished = time.monotonic()
    first_token_at = first_token_at or finished
    text = "".join(pieces)
    completion_tokens = len(llama.tokenize(text.encode(), add_bos=False, special=False)) if text else 0
    return Decoded(
        text=text,
        completion_tokens=completion_tokens,
        sampled_tokens=completion_tokens,
        forced_tokens=0,
        prompt_tokens=len(prompt),
        cached_prompt_tokens=cached,
        prompt_ms=(first_token_at - started) * 1000,
        generation_ms=(finished - first_token_at) * 1000,
    )


def _llama_grammar(loaded: LoadedModel, text: str | None) -> LlamaGrammar | None:
    if text is None:
        return None
    grammar = loaded.llama_grammars.get(text)
    if grammar is None:
        from llama_cpp.llama_grammar import LlamaGrammar

        if len(loaded.llama_grammars) >= MAX_CACHED_GRAMMARS:
            loaded.llama_grammars.pop(next(iter(loaded.llama_grammars)))
        grammar = loaded.llama_grammars[text] = LlamaGrammar.from_string(text, verbose=False)
    return grammar


def _open(settings: LlmSettings) -> Llama:
    from llama_cpp import Llama  # heavy import, only in the worker

    threads = settings.threads or max(1, (os.cpu_count() or 2))
    try:
        return Llama(
            model_path=settings.model_path,
            n_ctx=settings.context_size,
            n_threads=threads,
            n_threads_batch=threads,
            lora_path=settings.adapter_path,
            lora_scale=settings.adapter_scale,
            verbose=False,
        )
    except (ValueError, RuntimeError) as err:
        # llama-cpp-python names the LoRA adapter when that is what failed (another architecture, not an adapter).
        code = "adapter_invalid" if settings.adapter_path and "lora" in str(err).lower() else "model_load_failed"
        raise ModelLoadError(code, str(err)) from err


def _adapter_identity(settings: LlmSettings) -> str:
    """What makes the saved prompt states of base + adapter differ from the base model's own."""
    if settings.adapter_path is None:
        return ""
    adapter = Path(settings.adapter_path)
    stat = adapter.stat()
    return f"{adapter.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{settings.adapter_scale}"


def chat_formatter(llama: Llama) -> Jinja2ChatFormatter:
    """The chat template the model file carries, set up the way llama-cpp-python sets it up."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        raise ModelLoadError("model_load_failed", "the model file carries no chat template")
    eos, bos = llama.token_eos(), llama.token_bos()
    return Jinja2ChatFormatter(
        template=template,
        eos_token=_piece(llama, eos),
        bos_token=_piece(llama, bos),
        stop_token_ids=[eos],
    )


def _piece(llama: Llama, token: int) -> str:
    return "" if token < 0 else str(llama._model.token_get_text(token))  # as Llama itself names them
