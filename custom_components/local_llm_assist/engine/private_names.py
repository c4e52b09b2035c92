"""Checks on a request before the model sees it.

A request that names a device the user did not expose must change nothing. The grammar keeps
the model from targeting that device, but a small model may then pick a similar exposed one;
so when a private device's name is what the request says, the turn is refused up front.
"""

from __future__ import annotations

from .text import name_spans, normalize


def find_private_mention(request: str, exposed_names: set[str], private_names: set[str]) -> str | None:
    """The private device name the request refers to, if any.

    Only the longest name at each place counts, so "living room lamp" (exposed) is not
    mistaken for a private device called "lamp".
    """
    text = normalize(request)
    exposed = name_spans(text, exposed_names)
    for start, end, name in name_spans(text, private_names - exposed_names):
        covered = any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in exposed)
        if not covered:
            return name
    return None
