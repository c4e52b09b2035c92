"""Checks on a request before the model sees it.

A request that names a device the user did not expose must change nothing. The grammar keeps
the model from targeting that device, but a small model may then pick a similar exposed one;
so when a private device's name is what the request says, the turn is refused up front.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from difflib import SequenceMatcher


def normalize(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def mentioned_names(request: str, names: set[str]) -> set[str]:
    text = normalize(request)
    return {name for _, _, name in _mentions(text, names)}


def _mentions(text: str, names: set[str]) -> list[tuple[int, int, str]]:
    spans = []
    for name in names:
        needle = normalize(name)
        if not needle:
            continue
        for match in re.finditer(rf"(?<![a-z0-9]){re.escape(needle)}(?![a-z0-9])", text):
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
