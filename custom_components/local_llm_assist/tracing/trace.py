"""One trace per turn: who asked, what each stage cost, what was called and how the turn ended.

Plain data with no Home Assistant or W&B import, so the recorder, the W&B writer and the
diagnostics all read the same thing. Text fields stay None unless the user chose to log text.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

# acted: a tool changed something; answered: a reply without a change (a question, a query
# tool); no_match: the request could not be mapped to a device or tool; error: something failed.
Outcome = Literal["acted", "answered", "no_match", "error"]
OUTCOMES: tuple[Outcome, ...] = ("acted", "answered", "no_match", "error")
SUCCESSFUL_OUTCOMES: tuple[Outcome, ...] = ("acted", "answered")


@dataclass
class SttSpan:
    """Speech-to-text that produced this turn's text."""

    model: str
    audio_seconds: float
    duration_ms: float
    transcript: str | None


@dataclass
class GenerationSpan:
    """One model call of the tool loop."""

    prompt_tokens: int
    cached_prompt_tokens: int
    completion_tokens: int
    prompt_ms: float
    generation_ms: float
    output: str | None
    # Of the completion tokens: chosen by the model, or forced by the grammar (None: the engine,
    # a model server, does not say).
    sampled_tokens: int | None = None
    forced_tokens: int | None = None


@dataclass
class ToolSpan:
    """One tool call: the validated arguments, what came back, how long it took."""

    name: str
    arguments: dict[str, Any]
    result: Any
    error: str | None
    duration_ms: float


@dataclass
class TurnTrace:
    turn_id: str
    started_at: float  # unix time
    conversation_id: str
    device_id: str | None
    satellite_id: str | None
    language: str
    model: str
    request: str | None
    request_chars: int
    stt: SttSpan | None = None
    handled_locally: bool = False
    local_match_ms: float | None = None
    prompt_version: str | None = None
    prompt_hash: str | None = None
    grammar_hash: str | None = None
    generations: list[GenerationSpan] = field(default_factory=list)
    tool_calls: list[ToolSpan] = field(default_factory=list)
    reply: str | None = None
    error: str | None = None
    outcome: Outcome = "error"
    total_ms: float = 0.0

    @property
    def succeeded(self) -> bool:
        return self.outcome in SUCCESSFUL_OUTCOMES

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def metrics(self) -> dict[str, float | int]:
        """Numbers to chart over time, one point per turn."""
        prompt_tokens = sum(g.prompt_tokens for g in self.generations)
        cached = sum(g.cached_prompt_tokens for g in self.generations)
        values: dict[str, float | int] = {
            "turn/total_ms": self.total_ms,
            "turn/success": int(self.succeeded),
            **{f"turn/{outcome}": int(self.outcome == outcome) for outcome in OUTCOMES},
            "turn/handled_locally": int(self.handled_locally),
            "llm/generations": len(self.generations),
            "llm/prompt_tokens": prompt_tokens,
            "llm/cached_prompt_tokens": cached,
            "llm/completion_tokens": sum(g.completion_tokens for g in self.generations),
            "llm/forced_tokens": sum(g.forced_tokens or 0 for g in self.generations),
            "llm/prompt_ms": sum(g.prompt_ms for g in self.generations),
            "llm/generation_ms": sum(g.generation_ms for g in self.generations),
            "tools/calls": len(self.tool_calls),
            "tools/errors": sum(call.error is not None for call in self.tool_calls),
            "tools/ms": sum(call.duration_ms for call in self.tool_calls),
        }
        if prompt_tokens:
            values["llm/cache_reuse"] = cached / prompt_tokens
        if self.stt is not None:
            values["stt/ms"] = self.stt.duration_ms
            values["stt/audio_seconds"] = self.stt.audio_seconds
        return values


# Columns of the W&B table of turns, in order; nested spans are JSON text so the table stays flat.
TABLE_COLUMNS = [
    "time",
    "turn_id",
    "conversation_id",
    "device_id",
    "satellite_id",
    "language",
    "outcome",
    "error",
    "total_ms",
    "handled_locally",
    "stt_ms",
    "transcript",
    "request",
    "reply",
    "model",
    "model_sha256",
    "prompt_version",
    "prompt_hash",
    "grammar_hash",
    "prompt_tokens",
    "cached_prompt_tokens",
    "completion_tokens",
    "prompt_ms",
    "generation_ms",
    "generations",
    "tool_calls",
]


def table_row(trace: TurnTrace, model_sha256: str | None) -> list[Any]:
    metrics = trace.metrics()
    row = {
        "time": datetime.fromtimestamp(trace.started_at, UTC).isoformat(),
        "turn_id": trace.turn_id,
        "conversation_id": trace.conversation_id,
        "device_id": trace.device_id,
        "satellite_id": trace.satellite_id,
        "language": trace.language,
        "outcome": trace.outcome,
        "error": trace.error,
        "total_ms": round(trace.total_ms, 1),
        "handled_locally": trace.handled_locally,
        "stt_ms": trace.stt.duration_ms if trace.stt else None,
        "transcript": trace.stt.transcript if trace.stt else None,
        "request": trace.request,
        "reply": trace.reply,
        "model": trace.model,
        "model_sha256": model_sha256,
        "prompt_version": trace.prompt_version,
        "prompt_hash": trace.prompt_hash,
        "grammar_hash": trace.grammar_hash,
        "prompt_tokens": metrics["llm/prompt_tokens"],
        "cached_prompt_tokens": metrics["llm/cached_prompt_tokens"],
        "completion_tokens": metrics["llm/completion_tokens"],
        "prompt_ms": round(metrics["llm/prompt_ms"], 1),
        "generation_ms": round(metrics["llm/generation_ms"], 1),
        "generations": json.dumps([asdict(span) for span in trace.generations], default=str),
        "tool_calls": json.dumps([asdict(span) for span in trace.tool_calls], default=str),
    }
    return [row[column] for column in TABLE_COLUMNS]
