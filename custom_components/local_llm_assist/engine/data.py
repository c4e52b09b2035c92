"""Plain data passed between the integration, the prompt builder and the worker."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ToolSpec:
    """A tool the model may call, with its JSON-schema parameters.

    `targets_devices` marks Home Assistant intents whose name/area/floor/domain slots are
    resolved against the home; their slots get the live names as enums, limited to
    `target_domains` (None: any device type).
    """

    name: str
    description: str
    parameters: dict[str, Any]
    targets_devices: bool = False
    target_domains: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ToolExample:
    """A worked example for the prompt: a request and the call of `tool` (its bare name) answering it."""

    tool: str
    request: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Device:
    """An exposed entity as the model sees it."""

    name: str
    domain: str
    area: str | None = None
    aliases: tuple[str, ...] = ()
    state: str | None = None


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


Decoding = Literal["jump_forward", "llama_grammar"]


@dataclass(frozen=True)
class LlmSettings:
    """How to load and run a GGUF model; equal settings share one loaded model.

    `decoding`: "jump_forward" (engine/decoding.py, the default) or "llama_grammar", llama.cpp's own
    grammar sampler, one token at a time (the benchmark's baseline, and the fallback for a grammar
    llguidance cannot compile). `adapter_path`: a LoRA adapter (GGUF) applied on top of the model,
    with `adapter_scale` as its strength (1.0: as trained).
    """

    model_path: str
    context_size: int = 4096
    threads: int | None = None
    decoding: Decoding = "jump_forward"
    adapter_path: str | None = None
    adapter_scale: float = 1.0


@dataclass(frozen=True)
class GenerationRequest:
    """One model call. The output is constrained two ways, both built from the same tool specs:
    a GBNF grammar (the worker, llama.cpp servers) and a JSON schema (OpenAI-compatible servers)."""

    messages: list[ChatMessage]
    grammar: str | None
    temperature: float = 0.0
    max_tokens: int = 256
    output_schema: dict[str, Any] | None = None
    # Evaluated prompts are saved beside the model file and loaded back after a restart
    # (engine/prefix_states.py); off for the set-up probe, which must really evaluate its prompt.
    saved_prompts: bool = True


@dataclass(frozen=True)
class GenerationResult:
    """The raw model text plus what it cost."""

    text: str
    prompt_tokens: int
    cached_prompt_tokens: int
    completion_tokens: int
    prompt_ms: float
    generation_ms: float
    # How the answer's tokens came about, where the engine says: chosen by the model, or forced by the
    # grammar and evaluated in one batch (engine/decoding.py). Model servers do not report it.
    sampled_tokens: int | None = None
    forced_tokens: int | None = None


@dataclass(frozen=True)
class WhisperSettings:
    """How to load a faster-whisper (CTranslate2) model folder; equal settings share one model."""

    model_path: str
    threads: int | None = None


@dataclass(frozen=True)
class TranscriptionRequest:
    """16-bit little-endian mono PCM at 16 kHz, and how to decode it."""

    pcm: bytes
    language: str | None = None  # None: the model detects it (multilingual models only)
    beam_size: int = 2
    vad_filter: bool = True
    hotwords: str | None = None  # names whisper should expect to hear


@dataclass(frozen=True)
class Transcript:
    """What was heard and what hearing it cost (kept for traces and diagnostics)."""

    text: str
    language: str
    audio_seconds: float
    transcribe_ms: float
    model: str
