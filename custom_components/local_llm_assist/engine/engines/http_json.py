"""One JSON request to a model server, with every way it can fail mapped to an engine error.

aiohttp is asynchronous, so a slow or silent server never blocks the event loop; the whole
exchange (connect, send, wait, read) runs under one time limit, so the user hears an answer
within it. The API key travels only in the Authorization header; no message quotes it.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from ..errors import (
    ServerAuthError,
    ServerError,
    ServerHttpError,
    ServerResponseError,
    ServerTimeoutError,
    ServerUnreachableError,
)
from .health import HealthMonitor

ERROR_DETAIL_CHARS = 200  # of a refusal's body, for the log


class ServerEndpoint:
    """POSTs JSON to one server and returns the decoded JSON answer; counts failures in `health`."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        *,
        api_key: str | None,
        timeout: float,
        health: HealthMonitor,
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self.health = health
        self._session = session
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            payload = await self._exchange(path, body)
        except ServerError:
            self.health.failed()
            raise
        self.health.succeeded()
        return payload

    async def _exchange(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            async with (
                asyncio.timeout(self.timeout),
                self._session.post(f"{self.base_url}{path}", json=body, headers=self._headers) as response,
            ):
                status, raw = response.status, await response.read()
        except TimeoutError:
            raise ServerTimeoutError(f"{self.base_url} did not answer within {self.timeout:g} s") from None
        except aiohttp.ClientConnectorError as err:
            raise ServerUnreachableError(f"cannot connect to {self.base_url}: {err.os_error}") from None
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientOSError) as err:
            raise ServerUnreachableError(f"{self.base_url} broke off the connection ({type(err).__name__})") from None
        except aiohttp.ClientError as err:
            raise ServerUnreachableError(f"cannot reach {self.base_url} ({type(err).__name__})") from None
        _check_status(self.base_url, status, raw)
        return _decode(self.base_url, raw)


def _check_status(base_url: str, status: int, raw: bytes) -> None:
    if status in (401, 403):
        raise ServerAuthError(f"{base_url} rejected the API key (HTTP {status})")
    if status >= 400:
        detail = raw[:ERROR_DETAIL_CHARS].decode(errors="replace")
        raise ServerHttpError(f"{base_url} refused the request (HTTP {status}): {detail}", status)


def _decode(base_url: str, raw: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ServerResponseError(f"{base_url} answered with something that is not JSON: {raw[:80]!r}") from None
    if not isinstance(payload, dict):
        raise ServerResponseError(f"{base_url} answered with JSON that is not an object")
    return payload
