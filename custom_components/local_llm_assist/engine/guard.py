"""Checks on a request before the model sees it.

A request that names a device the user did not expose must change nothing. The grammar keeps
the model from targeting that device, but a small model may then pick a similar exposed one;
so when a private device's name is what the request says, the turn is refused up front.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from difflib import SequenceMatcher
from typing import Any


def normalize(text: str) -> str:
    """Lower-case words separated by single spaces (any script: names need not be English)."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def mentioned_names(request: str, names: set[str]) -> set[str]:
    text = normalize(request)
    return {name for _, _, name in _mentions(text, names)}


def _mentions(text: str, names: set[str]) -> list[tuple[int, int, str]]:
    spans = []
    for name in names:
        needle = normalize(name)
        if not needle:
            continue
        for match in re.finditer(rf"(?<!\w){re.escape(needle)}(?!\w)", text):
            spans.append((match.start(), match.end(), name))
    return spans


def find_private_mention(request: str, exposed_names: set[str], private_names: set[str]) -> str | None:
    """The private device name the request refers to, if any.

    Only the longest name at each place counts, so "living room lamp" (exposed) is not
    mistaken for a private device called "lamp".
    """
    text = normalize(request)
    exposed = _mentions(text, exposed_names)
    for start, end, name in _mentions(text, private_names - exposed_names):
        covered = any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in exposed)
        if not covered:
            return name
    return None


# Words that say nothing about which device is meant.
_FILLER = {"the", "a", "an", "my", "to", "in", "on", "off", "of", "and", "please", "turn", "switch", "set", "it"}


def _tokens(text: str) -> set[str]:
    return set(normalize(text).split()) - _FILLER


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


_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "half": 50, "full": 100,
    # Percentages at their ends: Home Assistant's own sentences set "the lowest" brightness to 1.
    "max": 100, "maximum": 100, "highest": 100, "min": 1, "minimum": 1, "lowest": 1,
}  # fmt: skip


def said_numbers(text: str) -> set[float]:
    """Numbers in the text, as digits or simple English words ("twenty two" → 22)."""
    numbers = {float(value) for value in re.findall(r"\d+(?:\.\d+)?", text)}
    words = normalize(text).split()
    values = [_NUMBER_WORDS.get(word) for word in words]
    for index, value in enumerate(values):
        if value is None:
            continue
        numbers.add(float(value))
        following = values[index + 1] if index + 1 < len(values) else None
        if value >= 20 and value % 10 == 0 and following is not None and following < 10:
            numbers.add(float(value + following))
    return numbers


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
