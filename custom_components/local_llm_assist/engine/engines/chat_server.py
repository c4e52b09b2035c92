"""What the two server engines share: a chat-completions request, and reading its answer.

Both llama.cpp's server and OpenAI-compatible servers take `POST /v1/chat/completions` with the
product's own messages (the same ones the worker gets) and apply the model's chat template, as
llama-cpp-python does in the worker. They differ only in how the output is constrained (a GBNF
grammar or a JSON schema), which the subclasses add. Each request is self-contained (its own
messages, no server-side conversation state), so satellites talking at once cannot mix turns.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from ..data import GenerationRequest, GenerationResult
from ..errors import ServerResponseError
from .health import HealthMonitor
from .http_json import ServerEndpoint

CHAT_PATH = "/v1/chat/completions"


@dataclass(frozen=True)
class ServerSettings:
    """Where a model server is. `api_key` is kept out of repr() so it cannot reach a log line."""

    url: str
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    request_timeout: float = 60.0


def server_root(url: str) -> str:
    """The server's root URL: users paste it with or without the `/v1` OpenAI clients need."""
    root = url.strip().rstrip("/")
    return root.removesuffix("/v1")


class ChatServerEngine:
    """A model served over HTTP. The aiohttp session belongs to the caller (Home Assistant's, or a script's)."""

    kind = "chat_server"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        settings: ServerSettings,
        *,
        on_health_change: Callable[[bool], None] | None = None,
    ) -> None:
        self.settings = settings
        self.health = HealthMonitor(on_health_change)
        self._endpoint = ServerEndpoint(
            session,
            server_root(settings.url),
            api_key=settings.api_key,
            timeout=settings.request_timeout,
            health=self.health,
        )

    async def start(self) -> None:
        """Nothing to load: the server may come up later; the first failing turn says so."""

    async def stop(self) -> None:
        """The server is not ours to stop, nor is the session."""

    async def generate(self, request: GenerationRequest) -> GenerationResult:
        started = time.monotonic()
        payload = await self._post_chat(self._body(request), request)
        return read_chat_completion(payload, (time.monotonic() - started) * 1000)

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "url": self.settings.url,
            "model": self.settings.model,
            "api_key_set": bool(self.settings.api_key),
            "request_timeout": self.settings.request_timeout,
            "consecutive_failures": self.health.consecutive_failures,
        }

    def _body(self, request: GenerationRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "messages": [{"role": message.role, "content": message.content} for message in request.messages],
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "stream": False,
            **self._constraint(request),
        }
        if self.settings.model:
            body["model"] = self.settings.model
        return body

    def _constraint(self, request: GenerationRequest) -> dict[str, Any]:
        """The request fields that keep the output in the product's format (subclasses)."""
        return {}

    async def _post_chat(self, body: dict[str, Any], request: GenerationRequest) -> dict[str, Any]:
        return await self._endpoint.post(CHAT_PATH, body)


def read_chat_completion(payload: Mapping[str, Any], elapsed_ms: float) -> GenerationResult:
    """The text and costs of a chat completion.

    Tokens come from `usage` (every server); llama.cpp's server adds `timings`, which split the
    time into prompt and generation and say how much of the prompt its cache held. Without them
    the whole round trip counts as generation time.
    """
    text = _message_text(payload)
    usage = _mapping(payload.get("usage"))
    timings = _mapping(payload.get("timings"))
    details = _mapping(usage.get("prompt_tokens_details"))
    prompt_tokens = _int(usage, "prompt_tokens")
    cached = _int(timings, "cache_n") if "cache_n" in timings else _int(details, "cached_tokens")
    if timings:
        prompt_tokens = prompt_tokens or cached + _int(timings, "prompt_n")
        prompt_ms, generation_ms = _float(timings, "prompt_ms"), _float(timings, "predicted_ms")
    else:
        prompt_ms, generation_ms = 0.0, elapsed_ms
    return GenerationResult(
        text=text,
        prompt_tokens=prompt_tokens,
        cached_prompt_tokens=cached,
        completion_tokens=_int(usage, "completion_tokens") or _int(timings, "predicted_n"),
        prompt_ms=prompt_ms,
        generation_ms=generation_ms,
    )


def _message_text(payload: Mapping[str, Any]) -> str:
    choices = payload.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise ServerResponseError("the server's answer has no choices: it is not a chat completion")
    message = _mapping(choices[0].get("message"))
    content = message.get("content")
    if not isinstance(content, str):
        raise ServerResponseError("the server's answer has no message text")
    return content


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _int(values: Mapping[str, Any], key: str) -> int:
    value = values.get(key)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _float(values: Mapping[str, Any], key: str) -> float:
    value = values.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
