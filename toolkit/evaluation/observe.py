"""What an agent did in one turn, read from Home Assistant itself.

Calls come from the chat log (our agent's tool calls and their results) or, for Home Assistant's
own sentence matcher (the built-in agent, and our agent's local-first path), from the intent
response. Targets are the entity ids Home Assistant resolved and acted on, not the words the
model used, so "the kitchen lights" and "Kitchen Light" score the same when they hit the same
entity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from homeassistant.components import conversation
from homeassistant.components.conversation.chat_log import DATA_CHAT_LOGS
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import intent

from custom_components.local_llm_assist import compat
from custom_components.local_llm_assist.engine.toolnames import bare_name


@dataclass(frozen=True)
class ObservedCall:
    intent: str
    arguments: Mapping[str, Any]
    targets: frozenset[str]  # entity ids it acted on or answered about
    succeeded: bool


@dataclass
class Stages:
    """Time and tokens of one turn; model numbers are zero when no model ran."""

    total_ms: float = 0.0
    prompt_ms: float = 0.0
    generation_ms: float = 0.0
    generations: int = 0
    prompt_tokens: int = 0
    cached_prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class Observation:
    reply: str
    response_type: str
    error_code: str | None
    calls: list[ObservedCall]
    changed: dict[str, dict[str, Any]]  # entity id → its new state and attributes
    invalid_output: bool = False  # the model's output was rejected (our agent)
    engine_failure: str | None = None  # our agent's engine failed: timeout, crash (the error code)
    stages: Stages = field(default_factory=Stages)

    @property
    def acted(self) -> bool:
        return any(call.succeeded for call in self.calls)


type StateSnapshot = dict[str, tuple[str, dict[str, Any]]]


def snapshot(hass: HomeAssistant) -> StateSnapshot:
    """States and attributes of everything but the agents themselves."""
    return {
        state.entity_id: (state.state, dict(state.attributes)) for state in hass.states.async_all() if _judged(state)
    }


def _judged(state: State) -> bool:
    return state.domain != "conversation"


def changed_states(before: StateSnapshot, after: StateSnapshot) -> dict[str, dict[str, Any]]:
    return {
        entity_id: {"state": value[0], **value[1]}
        for entity_id, value in after.items()
        if before.get(entity_id) != value
    }


def observed_calls(hass: HomeAssistant, result: conversation.ConversationResult) -> list[ObservedCall]:
    """The agent's tool calls from the chat log, else the intent Home Assistant's matcher handled."""
    if calls := _chat_log_calls(hass, result.conversation_id):
        return calls
    response = result.response
    if response.intent is None:
        return []
    arguments = {slot: value.get("value") for slot, value in response.intent.slots.items()}
    return [
        ObservedCall(
            intent=response.intent.intent_type,
            arguments=arguments,
            targets=_response_targets(response),
            succeeded=response.response_type != intent.IntentResponseType.ERROR,
        )
    ]


def _response_targets(response: intent.IntentResponse) -> frozenset[str]:
    """What an action acted on; for a question, what it answered about."""
    acted = _entity_ids(target.id for target in (*response.success_results, *response.failed_results))
    if acted or response.response_type == intent.IntentResponseType.ACTION_DONE:
        return acted
    return _entity_ids(state.entity_id for state in (*response.matched_states, *response.unmatched_states))


def _entity_ids(ids: Iterable[Any]) -> frozenset[str]:
    """Entity ids only: results also name areas and floors, whose ids have no dot."""
    return frozenset(str(item) for item in ids if item and "." in str(item))


def _chat_log_calls(hass: HomeAssistant, conversation_id: str | None) -> list[ObservedCall]:
    chat_log = hass.data.get(DATA_CHAT_LOGS, {}).get(conversation_id) if conversation_id else None
    if chat_log is None:
        return []
    this_turn = _after_last_user_message(chat_log.content)
    results = {
        content.tool_call_id: compat.tool_result_data(content)
        for content in this_turn
        if isinstance(content, conversation.ToolResultContent)
    }
    return [
        _call_with_result(call.tool_name, call.tool_args, results.get(call.id))
        for content in this_turn
        if isinstance(content, conversation.AssistantContent)
        for call in content.tool_calls or []
    ]


def _after_last_user_message(content: list[Any]) -> list[Any]:
    starts = [index for index, item in enumerate(content) if isinstance(item, conversation.UserContent)]
    return content[starts[-1] + 1 :] if starts else []


def _call_with_result(name: str, arguments: Mapping[str, Any], result: Any) -> ObservedCall:
    data = result.get("data", {}) if isinstance(result, Mapping) else {}
    targets = _entity_ids(target.get("id") for key in ("success", "failed") for target in _dicts(data.get(key)))
    failed = not isinstance(result, Mapping) or "error" in result or result.get("response_type") == "error"
    return ObservedCall(
        intent=bare_name(name),  # newer Home Assistant prefixes tools (engine/toolnames.py)
        arguments=dict(arguments),
        targets=targets,
        succeeded=not failed,
    )


def _dicts(value: Any) -> Iterable[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def reply_text(result: conversation.ConversationResult) -> str:
    return str(result.response.speech.get("plain", {}).get("speech", ""))
