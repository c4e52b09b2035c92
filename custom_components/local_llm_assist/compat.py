"""Every difference between the Home Assistant versions we support (2025.4 → 2026.11).

Each branch is chosen by a feature test, never by a version number, so a backport or a
rename is picked up by what the running Home Assistant actually has.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import Any

from homeassistant import config_entries
from homeassistant.components import assist_pipeline, conversation
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import intent, llm

from .const import DOMAIN, LOGGER

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
    if len(api_ids) > 1 and not supports_multiple_llm_apis() and chat_log.llm_api is not None:
        chat_log.llm_api = await async_merge_apis(chat_log.hass, api_ids, chat_log.llm_api.llm_context)


async def async_merge_apis(hass: HomeAssistant, api_ids: list[str], context: llm.LLMContext) -> llm.APIInstance:
    """2025.4 takes one LLM API per agent: one instance with the tools and prompts of all of them.

    The first API leads (its serializer renders the schemas); an API that is gone (its
    integration was removed) is left out rather than failing every turn.
    """
    instances = []
    for api_id in api_ids:
        try:
            instances.append(await llm.async_get_api(hass, api_id, context))
        except HomeAssistantError as err:
            LOGGER.warning("LLM API %s is not available: %s", api_id, err)
    if not instances:
        raise HomeAssistantError(f"none of the LLM APIs {api_ids} is available")
    return llm.APIInstance(
        api=instances[0].api,
        api_prompt="\n".join(instance.api_prompt for instance in instances),
        llm_context=context,
        tools=[tool for instance in instances for tool in instance.tools],
        custom_serializer=instances[0].custom_serializer,
    )


def current_conversation_id() -> str | None:
    """The conversation a tool is being called in, if any (the chat log in progress)."""
    try:
        from homeassistant.components.conversation.chat_log import current_chat_log
    except ImportError:
        return None
    chat_log = current_chat_log.get()
    return chat_log.conversation_id if chat_log else None


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
    if len(api_ids) > 1 and not supports_multiple_llm_apis():
        return await async_merge_apis(hass, api_ids, llm_context(hass, language))
    return await llm.async_get_api(hass, api, llm_context(hass, language))  # type: ignore[arg-type]


async def async_handle_locally(
    hass: HomeAssistant, user_input: conversation.ConversationInput, chat_log: conversation.ChatLog
) -> intent.IntentResponse | None:
    """Home Assistant's own sentence matcher, if this version offers it to integrations."""
    handle_intents = getattr(conversation, "async_handle_intents", None)
    if handle_intents is None:
        return None
    # 2026.x records the matched intent in the chat log, so it takes one.
    takes_chat_log = "chat_log" in inspect.signature(handle_intents).parameters
    arguments = (hass, user_input, chat_log) if takes_chat_log else (hass, user_input)
    response: intent.IntentResponse | None = await handle_intents(*arguments)
    return response


def report_flow_progress(flow: Any, fraction: float) -> None:
    """2025.x+ shows a progress bar for flows that report it; older versions show a spinner."""
    if hasattr(flow, "async_update_progress"):
        flow.async_update_progress(min(1.0, max(0.0, fraction)))


def tool_result_data(content: conversation.ToolResultContent) -> Any:
    """What a tool returned, in one shape on every version: the only reader of tool results.

    Before 2026.10 `tool_result` is the tool's dict: an intent's response (`response_type`,
    `data`...), a skill's result, or `{"error": ..., "error_text": ...}` when the call raised.
    2026.10+ wraps the same dict in `result = ToolResult(data, error)`, so the dict is `data`
    (an intent's `response_type` is inside it); a failure flagged only by `error` gets an
    `"error"` key, the mark every reader looks for.
    """
    result = getattr(content, "result", None)
    if result is None or not hasattr(result, "data"):
        return content.tool_result
    data = result.data
    if getattr(result, "error", False) and not (isinstance(data, dict) and "error" in data):
        return {**data, "error": "ToolError"} if isinstance(data, dict) else {"error": "ToolError", "data": data}
    return data


def tool_result(data: dict[str, Any]) -> Any:
    """What a tool returns: 2026.10+ expects a `ToolResult` (a bare dict is deprecated there)."""
    result_type = getattr(llm, "ToolResult", None)
    return data if result_type is None else result_type(data=data)


def entity_aliases(hass: HomeAssistant, entry: er.RegistryEntry | None) -> list[str]:
    """An entity's aliases as text.

    2026.x aliases may hold `er.COMPUTED_NAME`, a marker for the entity's own (computed) name,
    which `async_get_entity_aliases` resolves; before, aliases are a set of strings.
    """
    if entry is None:
        return []
    resolve = getattr(er, "async_get_entity_aliases", None)
    if resolve is not None:
        return [alias for alias in resolve(hass, entry) if isinstance(alias, str)]
    return sorted(alias for alias in entry.aliases if isinstance(alias, str))


def migrate_pipeline_engine(hass: HomeAssistant, entry_id: str, entity_id: str) -> None:
    """Point pipelines that name the config entry at the entity instead.

    Older releases still know such pipelines and offer `async_migrate_engine`; newer ones have
    dropped both, with nothing left to migrate.
    """
    migrate = getattr(assist_pipeline, "async_migrate_engine", None)
    if migrate is not None:
        migrate(hass, "conversation", entry_id, entity_id)


def satellite_id(user_input: conversation.ConversationInput) -> str | None:
    """2025.10+ says which voice satellite a request came from; before, only the device is known."""
    value = getattr(user_input, "satellite_id", None)
    return value if isinstance(value, str) else None


def entry_set_up() -> bool | None:
    """What a successful async_setup_entry returns: a boolean until 2025.x, None since (a boolean
    is deprecated there and an error when Home Assistant takes the integration for a built-in one)."""
    return None if hasattr(config_entries, "_async_process_entry_method_result") else True
