"""The set-up form for a model server: its fields, the entry data they make, and the check before saving."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import TextSelector, TextSelectorConfig, TextSelectorType
from yarl import URL

from .const import CONF_ENGINE, CONF_SERVER_API_KEY, CONF_SERVER_MODEL, CONF_SERVER_URL, ENGINE_OPENAI
from .engine.errors import ServerAuthError
from .engine_setup import async_validate_server, server_settings


def server_schema(kind: str) -> vol.Schema:
    """URL, model name (OpenAI-compatible servers serve several), and an optional API key."""
    fields: dict[Any, Any] = {
        vol.Required(CONF_SERVER_URL): TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
    }
    if kind == ENGINE_OPENAI:
        fields[vol.Required(CONF_SERVER_MODEL)] = TextSelector()
    fields[vol.Optional(CONF_SERVER_API_KEY)] = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
    return vol.Schema(fields)


def server_entry_data(kind: str, user_input: Mapping[str, Any], saved_key: str | None = None) -> dict[str, Any]:
    """Entry data from the form; an empty key field means no key (or, when reconfiguring, the saved one)."""
    data: dict[str, Any] = {CONF_ENGINE: kind, CONF_SERVER_URL: str(user_input[CONF_SERVER_URL]).strip()}
    if model := str(user_input.get(CONF_SERVER_MODEL) or "").strip():
        data[CONF_SERVER_MODEL] = model
    if api_key := str(user_input.get(CONF_SERVER_API_KEY) or "").strip() or saved_key:
        data[CONF_SERVER_API_KEY] = api_key
    return data


def without_key(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """Form values to show again: a saved or typed API key is never sent back to the browser."""
    return {key: value for key, value in (values or {}).items() if key != CONF_SERVER_API_KEY}


def is_server_url(text: str) -> bool:
    try:
        url = URL(text)
    except ValueError:
        return False
    return url.scheme in ("http", "https") and bool(url.host)


async def async_check_server(hass: HomeAssistant, kind: str, data: Mapping[str, Any]) -> dict[str, str]:
    """Form errors: a bad address, or whatever a short real generation through the server ran into."""
    if not is_server_url(data[CONF_SERVER_URL]):
        return {CONF_SERVER_URL: "invalid_server_url"}
    if error := await async_validate_server(hass, kind, server_settings(data)):
        return {CONF_SERVER_API_KEY if error == ServerAuthError.code else "base": error}
    return {}
