"""Errors the engine raises; each carries a stable code the integration translates."""

from __future__ import annotations

from .crash import CrashCause


class EngineError(Exception):
    """Base class: `code` names the translation key shown to the user."""

    code = "engine_error"


class WorkerCrashedError(EngineError):
    """The worker process died (native crash, out of memory, killed); `cause` says how, when known."""

    code = "worker_crashed"

    def __init__(self, message: str, cause: CrashCause | None = None) -> None:
        super().__init__(message)
        self.cause = cause


class WorkerTimeoutError(EngineError):
    """A request took longer than its timeout; the worker was killed."""

    code = "worker_timeout"


class WorkerStoppedError(EngineError):
    """The client was stopped (integration unloading) while a request waited."""

    code = "worker_stopped"


class ModelLoadError(EngineError):
    """A model file could not be used; `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class InvalidModelOutputError(EngineError):
    """The model produced something that is not a valid reply or tool call."""

    code = "invalid_model_output"
