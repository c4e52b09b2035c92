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


class GenerationCancelledError(EngineError):
    """The caller gave up on a generation; the worker stopped between two tokens and stays loaded."""

    code = "generation_cancelled"


class PromptTooLongError(EngineError):
    """The prompt and the answer it may need do not fit in the model's context."""

    code = "prompt_too_long"


class ModelLoadError(EngineError):
    """A model file could not be used; `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class InvalidModelOutputError(EngineError):
    """The model produced something that is not a valid reply or tool call."""

    code = "invalid_model_output"


class ServerError(EngineError):
    """A model server failed to answer; the subclasses say how. Messages never quote a secret."""

    code = "server_error"


class ServerHttpError(ServerError):
    """The server refused the request with an HTTP error other than an authentication failure."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class ServerUnreachableError(ServerError):
    """Nothing answers at the server's address, or the connection broke off mid-request."""

    code = "server_unreachable"


class ServerTimeoutError(ServerError):
    """The server did not answer within the request time limit."""

    code = "server_timeout"


class ServerAuthError(ServerError):
    """The server rejected the API key (HTTP 401 or 403)."""

    code = "server_auth_failed"


class ServerResponseError(ServerError):
    """The server answered with something that is not a chat completion (garbage, malformed JSON)."""

    code = "server_bad_response"
