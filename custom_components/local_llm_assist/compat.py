"""Every difference between the Home Assistant versions we support (2025.4 → 2026.11).

Each branch is chosen by a feature test, never by a version number, so a backport or a
rename is picked up by what the running Home Assistant actually has.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from homeassistant.components import conversation
from homeassistant.core import HomeAssistant
from homeassistant.helpers import intent, llm

from .const import DOMAIN

try:  # 2026.9+: voluptuous is replaced by probatio, which converts its own schemas.
    from probatio import to_openapi as _to_openapi
except ImportError:
    from voluptuous_openapi import convert as _to_openapi


def schema_to_json(schema: Any, custom_serializer: Callable[[Any], Any] | None) -> dict[str, Any]:
    """JSON schema of a tool's parameters."""
    result: dict[str, Any] = _to_openapi(schema, custom_serializer=custom_serializer)
    return result


def supports_multiple_llm_apis() -> bool:
    """2025.5+ merges several LLM APIs; 2025.4 takes exactly one id."""
    return hasattr(llm, "MergedAPI")


def unwrap_tool(tool: llm.Tool) -> llm.Tool:
    """2025.5+ wraps the tools of merged APIs in a NamespacedTool that keeps the original in `.tool`."""
    inner = getattr(tool, "tool", None)
    return unwrap_tool(inner) if isinstance(inner, llm.Tool) and hasattr(tool, "namespace") else tool


def llm_api_argument(api_ids: list[str]) -> str | list[str] | None:
    if not api_ids:
        return None
    return api_ids if supports_multiple_llm_apis() else api_ids[0]


async def async_provide_llm_data(
    chat_log: conversation.ChatLog,
    user_input: conversation.ConversationInput,
    api_ids: list[str],
    prompt: str,
) -> None:
    """Attach the LLM API and system prompt to the chat log (raises ConverseError)."""
    api = llm_api_argument(api_ids)
    if hasattr(chat_log, "async_provide_llm_data"):  # 2025.7+
        await chat_log.async_provide_llm_data(
            user_input.as_llm_context(DOMAIN),  # type: ignore[attr-defined]
            api,
            prompt,
            user_input.extra_system_prompt,
        )
    else:
        await chat_log.async_update_llm_data(DOMAIN, user_input, api, prompt)  # type: ignore[arg-type]


def llm_context(hass: HomeAssistant, language: str | None) -> llm.LLMContext:
    """An LLMContext for work outside a conversation (2025.4 still requires `user_prompt`)."""
    values: dict[str, Any] = {
        "platform": DOMAIN,
        "context": None,
        "language": language,
        "assistant": conversation.DOMAIN,
        "device_id": None,
    }
    if "user_prompt" in {field.name for field in dataclasses.fields(llm.LLMContext)}:
        values["user_prompt"] = None
    return llm.LLMContext(**values)


async def async_get_api_instance(
    hass: HomeAssistant, api_ids: list[str], language: str | None
) -> llm.APIInstance | None:
    api = llm_api_argument(api_ids)
    if api is None:
        return None
    return await llm.async_get_api(hass, api, llm_context(hass, language))  # type: ignore[arg-type]


async def async_handle_locally(
    hass: HomeAssistant, user_input: conversation.ConversationInput
) -> intent.IntentResponse | None:
    """Home Assistant's own sentence matcher, if this version offers it to integrations."""
    handle_intents = getattr(conversation, "async_handle_intents", None)
    if handle_intents is None:
        return None
    response: intent.IntentResponse | None = await handle_intents(hass, user_input)
    return response


def report_flow_progress(flow: Any, fraction: float) -> None:
    """2025.x+ shows a progress bar for flows that report it; older versions show a spinner."""
    if hasattr(flow, "async_update_progress"):
        flow.async_update_progress(min(1.0, max(0.0, fraction)))


def tool_result_data(content: conversation.ToolResultContent) -> Any:
    """2026.10 wraps results in `ToolResult(data, error)`; before, `tool_result` is the dict."""
    result = getattr(content, "result", None)
    if result is not None and hasattr(result, "data"):
        return {"data": result.data, "error": getattr(result, "error", None)}
    return content.tool_result


def satellite_id(user_input: conversation.ConversationInput) -> str | None:
    """2025.10+ says which voice satellite a request came from; before, only the device is known."""
    value = getattr(user_input, "satellite_id", None)
    return value if isinstance(value, str) else None
