"""A request over a synthetic home and its right outcome, as the generator knows it."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from custom_components.local_llm_assist.engine.data import ChatMessage
from custom_components.local_llm_assist.engine.toolcall import ToolCall

from .homes import Entity, Home, Place

Kind = Literal["call", "answer", "refusal"]


@dataclass(frozen=True)
class Outcome:
    """One model output: a tool call, or a spoken reply."""

    call: ToolCall | None = None
    reply: str | None = None


@dataclass
class Request:
    family: str
    kind: Kind
    text: str
    outcome: Outcome
    here: Place | None = None  # the satellite's area
    given: dict[str, str] = field(default_factory=dict)  # entity id → state for this request
    history: list[ChatMessage] = field(default_factory=list)
    # An earlier command of the conversation (its words, its call), carried out for real before this one.
    earlier: tuple[str, ToolCall] | None = None
    # Further calls the request asks for ("… and lock the front door"), each after the one before.
    more: list[ToolCall] = field(default_factory=list)
    # After a call whose result goes back to the model (a script, GetLiveContext): what it then says.
    then: Callable[[Any], str] | None = None
    # Refusals the product makes before the model (an unexposed device): the sentence's key and values.
    refused_with: tuple[str, dict[str, str]] | None = None


type Family = Callable[[random.Random, Home], Request | None]


def call(tool: str, **arguments: Any) -> Outcome:
    return Outcome(call=ToolCall(tool, arguments))


def reply(text: str) -> Outcome:
    return Outcome(reply=text)


def pick[T](rng: random.Random, items: list[T] | tuple[T, ...]) -> T | None:
    return rng.choice(items) if items else None


def said_name(rng: random.Random, entity: Entity) -> str:
    """What a user calls the device: its name or one of its aliases, lower-case as speech is."""
    return rng.choice((entity.name, entity.name, *entity.aliases)).lower()


def said_area(rng: random.Random, area: Place) -> str:
    return rng.choice((area.name, area.name, *area.aliases)).lower()


def area_name_as_said(area: Place, said: str) -> str:
    """The area's name or alias that was said, as Home Assistant knows it (both are in the enum)."""
    return next(n for n in (area.name, *area.aliases) if n.lower() == said)
