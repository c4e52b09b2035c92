"""The request as the agent reads it: a transcript's dangling comma is not part of the command."""

from __future__ import annotations

import pytest

from custom_components.local_llm_assist.engine.text import request_text


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("close the bedroom blinds,", "close the bedroom blinds"),
        ("  turn on the light ;  ", "turn on the light"),
        ("set the timer to 5:", "set the timer to 5"),
        ("Turn on the light.", "Turn on the light."),
        ("is the door locked?", "is the door locked?"),
        ("turn on the lamp, please", "turn on the lamp, please"),
        (" , ", ""),
    ],
)
def test_only_dangling_separators_and_space_are_dropped(said: str, read: str) -> None:
    assert request_text(said) == read
