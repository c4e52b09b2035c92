"""Both branches of the version differences that a stand-in can exercise on 2025.4."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import intent, llm

from custom_components.local_llm_assist import compat


class NamespacedStandIn(llm.Tool):
    """Shaped like 2025.5+'s NamespacedTool: a prefixed name around the original tool."""

    def __init__(self, namespace: str, tool: llm.Tool) -> None:
        self.namespace = namespace
        self.name = f"{namespace}__{tool.name}"
        self.tool = tool

    async def async_call(self, hass: HomeAssistant, tool_input: llm.ToolInput, llm_context: llm.LLMContext) -> Any:
        raise NotImplementedError


def test_merged_api_tools_are_unwrapped_to_their_intent() -> None:
    handler = intent.ServiceIntentHandler("HassTurnOn", "homeassistant", "turn_on", "Turned on")
    original = llm.IntentTool("HassTurnOn", handler)
    wrapped = NamespacedStandIn("assist", original)
    assert compat.unwrap_tool(wrapped) is original
    assert compat.unwrap_tool(original) is original


def test_llm_context_is_built_for_this_version(hass: HomeAssistant) -> None:
    context = compat.llm_context(hass, "en")
    assert context.language == "en"
    assert context.assistant == "conversation"


def test_single_api_id_on_2025_4() -> None:
    assert compat.supports_multiple_llm_apis() is hasattr(llm, "MergedAPI")
    expected = ["assist", "other"] if compat.supports_multiple_llm_apis() else "assist"
    assert compat.llm_api_argument(["assist", "other"]) == expected
    assert compat.llm_api_argument([]) is None
