"""The turn recorder the conversation agent calls at a few points, and the tracer that collects turns.

Recording only appends to plain objects: it costs microseconds and cannot fail a turn. A
finished trace goes to the writer's bounded queue and is written by another thread.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..engine.data import GenerationResult
from ..engine.prompt import PROMPT_VERSION
from ..engine.text import match_key
from .settings import ModelInfo, TracingSettings
from .trace import GenerationSpan, SttSpan, ToolSpan, TurnTrace

# Failures that mean "I could not tell what you wanted", as opposed to something breaking.
NO_MATCH_ERRORS = frozenset({"empty_request", "device_not_found", "device_not_exposed", "invalid_model_output"})
RECENT_TRACES = 20  # kept for the diagnostics download
TRANSCRIPT_MAX_AGE_S = 60.0  # an STT result older than this belongs to no turn
PENDING_TRANSCRIPTS = 16


class TraceWriter(Protocol):
    """Where finished traces go (the W&B writer): `submit` must never block."""

    def submit(self, trace: TurnTrace) -> None: ...

    def stats(self) -> dict[str, Any]: ...


class TurnRecorder:
    """Collects one turn's trace; `finish` hands it to the tracer (or drops it when tracing is off)."""

    def __init__(self, trace: TurnTrace, include_text: bool, submit: Callable[[TurnTrace], None] | None) -> None:
        self.trace = trace
        self._include_text = include_text
        self._submit = submit
        self._started = time.perf_counter()
        self._acted = False

    @classmethod
    def untraced(cls) -> TurnRecorder:
        """A recorder for an agent without tracing: the same calls, nothing kept."""
        trace = TurnTrace("", 0.0, "", None, None, "", "", None, 0)
        return cls(trace, include_text=False, submit=None)

    def _text(self, text: str) -> str | None:
        return text if self._include_text else None

    def handled_locally(self, handled: bool, duration_ms: float) -> None:
        self.trace.handled_locally = handled
        self.trace.local_match_ms = duration_ms

    def prompt(self, system_prompt: str, grammar: str) -> None:
        """Versions of what the model saw: they change with the instructions, tools and device names."""
        self.trace.prompt_version = PROMPT_VERSION
        self.trace.prompt_hash = _short_hash(system_prompt)
        self.trace.grammar_hash = _short_hash(grammar)

    def generation(self, result: GenerationResult) -> None:
        self.trace.generations.append(
            GenerationSpan(
                prompt_tokens=result.prompt_tokens,
                cached_prompt_tokens=result.cached_prompt_tokens,
                completion_tokens=result.completion_tokens,
                prompt_ms=result.prompt_ms,
                generation_ms=result.generation_ms,
                output=self._text(result.text),
                sampled_tokens=result.sampled_tokens,
                forced_tokens=result.forced_tokens,
            )
        )

    def tool_call(self, name: str, arguments: dict[str, Any], result: Any, duration_ms: float) -> None:
        error = _tool_error(result)
        self._acted |= error is None and isinstance(result, dict) and result.get("response_type") == "action_done"
        # A result can quote what was said (a shopping-list item, a search): it follows the text setting.
        kept = result if self._include_text else None
        self.trace.tool_calls.append(ToolSpan(name, dict(arguments), kept, error, duration_ms))

    def acted(self) -> None:
        """Home Assistant's own matcher carried out a command."""
        self._acted = True

    def reply(self, text: str) -> None:
        self.trace.reply = self._text(text)

    def failed(self, error: str) -> None:
        self.trace.error = error

    def finish(self, failed: bool = False) -> TurnTrace:
        """Close the trace (`failed`: the turn ended with an error response) and submit it."""
        trace = self.trace
        trace.total_ms = (time.perf_counter() - self._started) * 1000
        if failed and trace.error is None:
            trace.error = "error_response"
        if trace.error is not None:
            trace.outcome = "no_match" if trace.error in NO_MATCH_ERRORS else "error"
        else:
            trace.outcome = "acted" if self._acted else "answered"
        if self._submit is not None:
            self._submit(trace)
        return trace


@dataclass
class _PendingTranscript:
    span: SttSpan
    device_id: str | None
    conversation_id: str | None  # the pipeline run's conversation: the turn it starts has the same one
    text: str
    received: float

    def belongs_to(self, text: str, device_id: str | None, conversation_id: str) -> bool:
        if self.text != text:
            return False
        if self.conversation_id is not None:  # exact: satellites saying the same words at once stay apart
            return self.conversation_id == conversation_id
        return self.device_id in (device_id, None)


@dataclass
class Tracer:
    """Starts turn recorders, keeps recent traces for diagnostics and feeds the writer."""

    settings: TracingSettings
    model: ModelInfo
    writer: TraceWriter
    recent: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=RECENT_TRACES))
    _transcripts: deque[_PendingTranscript] = field(default_factory=lambda: deque(maxlen=PENDING_TRANSCRIPTS))

    def start_turn(
        self,
        *,
        conversation_id: str,
        text: str,
        language: str,
        device_id: str | None,
        satellite_id: str | None,
    ) -> TurnRecorder:
        include_text = self.settings.include_text
        trace = TurnTrace(
            turn_id=uuid.uuid4().hex,
            started_at=time.time(),
            conversation_id=conversation_id,
            device_id=device_id,
            satellite_id=satellite_id,
            language=language,
            model=self.model.name,
            request=text if include_text else None,
            request_chars=len(text),
            stt=self._take_transcript(text, device_id, conversation_id),
        )
        return TurnRecorder(trace, include_text, self.submit)

    def record_transcript(
        self,
        text: str,
        *,
        audio_seconds: float,
        stt_ms: float,
        model: str,
        device_id: str | None = None,
        conversation_id: str | None = None,
    ) -> None:
        """Speech-to-text finished: its span joins the next turn of the same text in the same
        conversation (when the pipeline's conversation is known), else from the same device."""
        span = SttSpan(model, audio_seconds, stt_ms, text if self.settings.include_text else None)
        pending = _PendingTranscript(span, device_id, conversation_id, match_key(text), time.monotonic())
        self._transcripts.append(pending)

    def _take_transcript(self, text: str, device_id: str | None, conversation_id: str) -> SttSpan | None:
        now, wanted = time.monotonic(), match_key(text)
        for pending in reversed(self._transcripts):
            fresh = now - pending.received <= TRANSCRIPT_MAX_AGE_S
            if fresh and pending.belongs_to(wanted, device_id, conversation_id):
                self._transcripts.remove(pending)
                return pending.span
        return None

    def submit(self, trace: TurnTrace) -> None:
        self.recent.append(trace.as_dict())
        self.writer.submit(trace)


def _tool_error(result: Any) -> str | None:
    """Home Assistant reports a failed tool as {"error": ..., "error_text": ...} or an error intent response."""
    if not isinstance(result, dict):
        return None
    if error := result.get("error"):
        return f"{error}: {result.get('error_text', '')}".strip(": ")
    if result.get("response_type") == "error":
        return f"intent error: {(result.get('data') or {}).get('code', 'unknown')}"
    return None


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]
