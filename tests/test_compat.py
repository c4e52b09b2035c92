"""Both branches of the version differences that a stand-in can exercise on 2025.4."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from homeassistant.components import assist_pipeline, conversation
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import intent, llm

from custom_components.local_llm_assist import compat
from custom_components.local_llm_assist.skills.runner import spoken_reply
from custom_components.local_llm_assist.tool_results import ToolFailure, confirmed_targets, tool_failure
from custom_components.local_llm_assist.tracing.recorder import TurnRecorder


class NamespacedStandIn(llm.Tool):
    """Shaped like 2025.5+'s NamespacedTool: a prefixed name around the original tool."""

    def __init__(self, namespace: str, tool: llm.Tool) -> None:
        self.namespace = namespace
        self.name = f"{namespace}__{tool.name}"
        self.tool = tool

    async def async_call(self, hass: HomeAssistant, tool_input: llm.ToolInput, llm_context: llm.LLMContext) -> Any:
        raise NotImplementedError


def test_merged_api_tools_are_unwrapped_to_their_intent() -> None:
    handler = intent.ServiceIntentHandler("HassTurnOn", "homeassistant", "turn_on")
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


# An intent that matched nothing, as Home Assistant answers it (IntentResponse.as_dict()).
NO_MATCH = {"response_type": "error", "data": {"code": "no_valid_targets"}, "speech": {}}


@dataclass
class ToolResultStandIn:
    """2026.10+'s llm.ToolResult."""

    data: Any
    error: bool = False


@dataclass
class NewToolResultContent:
    """2026.10+'s ToolResultContent: the dict is inside `result`."""

    result: ToolResultStandIn
    tool_name: str = "intent__HassTurnOn"


@dataclass
class OldToolResultContent:
    """2025.4's ToolResultContent: the dict is `tool_result`."""

    tool_result: Any
    tool_name: str = "HassTurnOn"
    extra: dict[str, Any] = field(default_factory=dict)


@pytest.mark.parametrize(
    "content",
    [OldToolResultContent(NO_MATCH), NewToolResultContent(ToolResultStandIn(NO_MATCH))],
    ids=["2025.4", "2026.10+"],
)
def test_an_intent_error_reads_as_a_failure_in_both_shapes(content: Any) -> None:
    """2026.10+ puts `response_type` inside `data`: read as before, an error would be said as done."""
    data = compat.tool_result_data(content)
    assert data["response_type"] == "error"
    assert tool_failure(data) == ToolFailure(not_found=True)


def test_a_raised_tool_error_reads_as_a_failure_in_both_shapes() -> None:
    raised = {"error": "MatchFailedError", "error_text": "no device"}
    for content in (OldToolResultContent(raised), NewToolResultContent(ToolResultStandIn(raised, error=True))):
        assert tool_failure(compat.tool_result_data(content)) == ToolFailure(not_found=True)


def test_an_error_flag_without_an_error_key_still_fails() -> None:
    content = NewToolResultContent(ToolResultStandIn({"answer": 42}, error=True))
    assert tool_failure(compat.tool_result_data(content)) == ToolFailure(not_found=False)


def test_a_success_passes_through_unchanged() -> None:
    done = {"response_type": "action_done", "data": {"success": [{"name": "Lamp", "type": "entity"}]}}
    assert compat.tool_result_data(NewToolResultContent(ToolResultStandIn(done))) == done
    assert compat.tool_result_data(OldToolResultContent(done)) == done


def test_tools_return_what_this_version_expects(monkeypatch: pytest.MonkeyPatch) -> None:
    result = compat.tool_result({"answer": 42})
    if hasattr(llm, "ToolResult"):
        assert result.data == {"answer": 42}
        monkeypatch.delattr(llm, "ToolResult")
    assert compat.tool_result({"answer": 42}) == {"answer": 42}


async def test_aliases_are_text_on_this_version(hass: HomeAssistant) -> None:
    registry = er.async_get(hass)
    entry = registry.async_get_or_create("light", "test", "lamp", suggested_object_id="lamp")
    entry = registry.async_update_entity(entry.entity_id, aliases={"Reading light"})
    assert compat.entity_aliases(hass, entry) == ["Reading light"]
    assert compat.entity_aliases(hass, None) == []
    computed = getattr(er, "COMPUTED_NAME", None)
    if computed is not None:  # 2026.x: the marker stands for the entity's own name
        entry = registry.async_update_entity(entry.entity_id, aliases=[computed, "Reading light"], name="Lamp")
        assert compat.entity_aliases(hass, entry) == ["Lamp", "Reading light"]


def test_aliases_without_the_resolver_are_the_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pre-2026 branch, also where the resolver exists: markers (not text) are left out."""
    monkeypatch.delattr(er, "async_get_entity_aliases", raising=False)

    @dataclass
    class Entry:
        aliases: Any

    marker = object()
    assert compat.entity_aliases(None, Entry({"Lamp", marker, "Desk"})) == ["Desk", "Lamp"]  # type: ignore[arg-type]


def test_pipelines_are_migrated_only_where_home_assistant_still_can(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(assist_pipeline, "async_migrate_engine", lambda *args: calls.append(args), raising=False)
    compat.migrate_pipeline_engine(None, "entry", "conversation.agent")  # type: ignore[arg-type]
    assert calls == [(None, "conversation", "entry", "conversation.agent")]
    monkeypatch.delattr(assist_pipeline, "async_migrate_engine")
    compat.migrate_pipeline_engine(None, "entry", "conversation.agent")  # type: ignore[arg-type]
    assert len(calls) == 1


def _as_tool_data(response: intent.IntentResponse) -> dict[str, Any]:
    """An intent's response as its tool returns it; 2026.10+'s IntentResponseDict drops language and card."""
    data = response.as_dict()
    del data["language"], data["card"]
    return data


def _intent_response(error: intent.IntentResponseErrorCode | None = None, failed: bool = False) -> dict[str, Any]:
    response = intent.IntentResponse(language="en")
    kitchen = intent.IntentResponseTarget(type=intent.IntentResponseTargetType.ENTITY, name="Kitchen", id="light.k")
    if error is not None:
        response.async_set_error(error, "no device called that")
    else:
        succeeded, not_done = ([], [kitchen]) if failed else ([kitchen], [])
        response.async_set_results(success_results=succeeded, failed_results=not_done)
    return _as_tool_data(response)


def _read_by_every_reader(content: Any) -> tuple[ToolFailure | None, list[str], str | None, str]:
    """What the turn does with a tool result: failure check, confirmation, skill speech, trace outcome."""
    data = compat.tool_result_data(content)
    recorder = TurnRecorder.untraced()
    recorder.tool_call("HassTurnOn", {"name": "Kitchen"}, data, 1.0)
    return tool_failure(data), confirmed_targets(data), spoken_reply(data), recorder.finish().outcome


def _both_shapes(data: dict[str, Any]) -> list[Any]:
    return [OldToolResultContent(data), NewToolResultContent(ToolResultStandIn(data))]


def test_an_intent_error_is_never_read_as_a_success_in_either_shape() -> None:
    """Newer Home Assistant puts the intent's dict (with `response_type`) inside ToolResult.data."""
    no_match = _intent_response(intent.IntentResponseErrorCode.NO_VALID_TARGETS)
    for content in _both_shapes(no_match):
        assert _read_by_every_reader(content) == (ToolFailure(not_found=True), [], None, "answered")
    failed = _intent_response(intent.IntentResponseErrorCode.FAILED_TO_HANDLE)
    for content in _both_shapes(failed):
        assert _read_by_every_reader(content) == (ToolFailure(not_found=False), [], None, "answered")


def test_a_partly_failed_action_is_not_confirmed_in_either_shape() -> None:
    for content in _both_shapes(_intent_response(failed=True)):
        failure, done, speech, _ = _read_by_every_reader(content)
        assert (failure, done, speech) == (None, [], None)  # the model words the partial failure


def test_an_intent_success_is_confirmed_in_either_shape() -> None:
    for content in _both_shapes(_intent_response()):
        assert _read_by_every_reader(content) == (None, ["Kitchen"], None, "acted")


def test_a_skill_result_is_spoken_in_either_shape() -> None:
    ours = {"skill": "Calculate", "success": True, "speech": "That's 12.", "data": {"result": "12"}}
    for content in _both_shapes(ours):
        assert _read_by_every_reader(content)[:3] == (None, [], "That's 12.")


async def test_the_sentence_matcher_gets_the_chat_log_where_it_takes_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """2026.x's matcher writes its tool call into the chat log and fails without one."""
    seen: list[tuple[Any, ...]] = []

    async def matcher_with_chat_log(hass: Any, user_input: Any, chat_log: Any) -> None:
        seen.append((hass, user_input, chat_log))

    async def matcher_without(hass: Any, user_input: Any) -> None:
        seen.append((hass, user_input))

    for matcher in (matcher_with_chat_log, matcher_without):
        monkeypatch.setattr(conversation, "async_handle_intents", matcher, raising=False)
        assert await compat.async_handle_locally("hass", "input", "log") is None  # type: ignore[arg-type]
    assert seen == [("hass", "input", "log"), ("hass", "input")]
