"""The model's call checked against what the user said, before anything is done.

`ground` is the one step between parsing and executing: a small model fills gaps with guesses
(another exposed device when it cannot find the one asked for, numbers it saw in the states), and
each check here compares the call with the user's own words. It takes a choice the user named
over the model's pick, rewrites a call on a place and a kind of device (places.py), refuses a
target nobody spoke of, and drops values nobody said.
(Before generation, private_names.py refuses requests about devices the user did not expose.)
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from .home_names import HomeNames
from .model_tools import TARGET_SLOTS, ModelTools
from .places import WrongDevice, rewrite_or_refuse, tool_reach
from .text import NOT_TARGET_WORDS, mentioned_names, normalize, said_numbers
from .toolcall import ToolCall
from .utterance import Utterance


@dataclass(frozen=True)
class GroundedCall:
    meant: ToolCall  # the call as the request meant it: what the model is told it did
    to_make: ToolCall  # that call without the values nobody said, still under the model's names


@dataclass(frozen=True)
class Refusal:
    reason: str  # a key of the spoken sentences (strings.json)


def ground(call: ToolCall, utterance: Utterance, tools: ModelTools, home: HomeNames) -> GroundedCall | Refusal:
    """The call to make for what was said, or why none is made."""
    text = utterance.text
    call = ToolCall(call.name, prefer_said_choices(call.arguments, tools.schema(call.name), text))
    try:
        switched = tools.light_set_as_switch(call, text)
        meant = rewrite_or_refuse(switched, utterance, home, tool_reach(tools, call.name, home))
    except WrongDevice:
        return Refusal("device_not_found")
    if not _target_is_said(meant, utterance, home):
        return Refusal("device_not_found")
    arguments = drop_unsaid_arguments(meant.arguments, tools.schema(meant.name), utterance.said_by_user)
    # Without the values nobody said, a light-set may be bare: a turn-on.
    return GroundedCall(meant, tools.light_set_as_switch(ToolCall(meant.name, arguments), text))


def _target_is_said(call: ToolCall, utterance: Utterance, home: HomeNames) -> bool:
    """Refuse a call on a device or area nobody spoke of."""
    said = utterance.conversation_text
    if isinstance(name := call.arguments.get("name"), str):
        device = home.device_named(name)
        words = " ".join((name, *device.aliases, device.area or "")) if device else name
        request_areas = mentioned_names(utterance.request_with_place, set(home.areas))
        return target_is_mentioned(
            said, words, request_areas=request_areas, target_area=device.area if device else None
        )
    if isinstance(area := call.arguments.get("area"), str):
        return target_is_mentioned(said, area)
    return True


def _tokens(text: str) -> set[str]:
    return set(normalize(text).split()) - NOT_TARGET_WORDS


def _similar(word: str, others: set[str]) -> bool:
    return any(
        word == other or (min(len(word), len(other)) >= 4 and SequenceMatcher(None, word, other).ratio() >= 0.8)
        for other in others
    )


def target_is_mentioned(
    conversation_text: str,
    target_words: str,
    *,
    request_areas: AbstractSet[str] = frozenset(),
    target_area: str | None = None,
) -> bool:
    """Whether the conversation points at the chosen target.

    A small model that cannot find the device the user asked for tends to pick some other
    exposed one ("garden sprinkler" → the speaker). A call is refused when its target shares no
    word (or near-spelling) with what was said, or sits in another area than the one the
    request names ("garage lights" → the bedroom light).
    """
    if request_areas and target_area and target_area not in request_areas:
        return False
    said = _tokens(conversation_text)
    return any(_similar(word, said) for word in _tokens(target_words))


def prefer_said_choices(arguments: dict[str, Any], schema: dict[str, Any], request: str) -> dict[str, Any]:
    """The arguments with a setting's choice the request names outright, where the model picked another.

    A setting with a few fixed choices (the weather's now, today, tomorrow, week) can be a near tie
    for a small model: for "what will the weather be like this week?" the logits of `week` and
    `now` differed by 0.1, and evaluating the same tokens in other batches flipped the pick
    (evals/results/README.md). When the request says exactly one of the choices as a word, that
    one is meant. Target slots are left to the target guard; nothing is added that the model left out.
    """
    properties: dict[str, Any] = schema.get("properties", {})
    chosen = dict(arguments)
    for key, value in arguments.items():
        choices = properties.get(key, {}).get("enum")
        if key in TARGET_SLOTS or not isinstance(value, str) or not isinstance(choices, list):
            continue
        said = mentioned_names(request, {choice for choice in choices if isinstance(choice, str)})
        if len(said) == 1 and value not in said:
            chosen[key] = said.pop()
    return chosen


def drop_unsaid_arguments(arguments: dict[str, Any], schema: dict[str, Any], said: str) -> dict[str, Any]:
    """Remove optional free values (numbers, text) the user never said.

    A small model fills optional slots with numbers it saw elsewhere (a brightness from the
    states, a colour temperature of 0); Home Assistant would act on them. Values limited to an
    enum (device, area, type) are checked by the grammar and the target guard instead.
    """
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    numbers = said_numbers(said)
    words = set(normalize(said).split())

    def grounded(key: str, value: Any) -> bool:
        spec = properties.get(key, {})
        if key in required or "enum" in spec or spec.get("type") not in ("integer", "number", "string"):
            return True
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value) in numbers
        return isinstance(value, str) and set(normalize(value).split()) <= words

    kept = {key: value for key, value in arguments.items() if grounded(key, value)}
    if isinstance(classes := kept.get("device_class"), list):
        # The model lists device classes nobody named ("tv, speaker, receiver" for "pause the
        # TV"), and Home Assistant then only looks among devices of those classes.
        spoken = [value for value in classes if _said_word(normalize(str(value)), words)]
        if spoken and "name" not in kept:
            kept["device_class"] = spoken
        else:  # a named device needs no class to find it, and a wrong one hides it
            del kept["device_class"]
    return kept


def _said_word(word: str, words: set[str]) -> bool:
    """The word, or its plural, was said ("blind" in "close the blinds")."""
    return word in words or f"{word}s" in words or f"{word}es" in words
