"""What the user said in a turn, read once and handed to every step that checks a call against it."""

from __future__ import annotations

from dataclasses import dataclass, field

from .data import ChatMessage
from .text import says_here


@dataclass(frozen=True)
class Utterance:
    """This turn's request, where it was said, and the conversation before it."""

    text: str
    satellite_area: str | None = None  # the area of the voice satellite it was said to
    history: tuple[ChatMessage, ...] = ()
    says_here: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "says_here", says_here(self.text))

    @property
    def spoken_place(self) -> str:
        """The satellite's area when the request says "here": it counts as said."""
        return self.satellite_area if self.satellite_area and self.says_here else ""

    @property
    def request_with_place(self) -> str:
        """This request, with "here" spelled out as the area it means."""
        return f"{self.text} {self.spoken_place}"

    @property
    def said_by_user(self) -> str:
        """Everything the user said in the conversation: a follow-up ("turn it off") may rely on it."""
        return " ".join([self.text, *(message.content for message in self.history if message.role == "user")])

    @property
    def conversation_text(self) -> str:
        """Everything said by anyone, the place included: what a call's target may point back to."""
        return " ".join([self.text, self.spoken_place, *(message.content for message in self.history)])
