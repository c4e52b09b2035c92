"""Requests about a place and a kind of device ("turn off the kitchen lights"), not one device.

A small model answers them by naming one device of that place, often of another kind (the kitchen
switch for "the kitchen lights"), and Home Assistant then acts on exactly that one. When the
request says no word of the chosen device's own name, the call is checked against what was said:
- a place and the device's kind were said: the call is widened to every device of that kind there;
- another kind of device was said: it is widened to that kind if the tool acts on it, else refused.
Home Assistant then acts on every such device there, or answers that there is none.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from .guard import mentioned_names, normalize
from .toolcall import ToolCall
from .verbs import TARGET_SLOTS, HomeNames, ModelTools

# Words for the kinds of devices tools act on. Words shared by two kinds ("door": a lock or a
# garage door) or by areas ("garage") are left out: they say nothing certain.
KIND_WORDS: dict[str, frozenset[str]] = {
    "light": frozenset({"light", "lights", "lamp", "lamps", "lighting", "bulb", "bulbs"}),
    "switch": frozenset({"switch", "switches", "plug", "plugs", "socket", "sockets", "outlet", "outlets"}),
    "fan": frozenset({"fan", "fans", "ventilator"}),
    "cover": frozenset({"blind", "blinds", "curtain", "curtains", "shade", "shades", "shutter", "shutters"}),
    "lock": frozenset({"lock", "locks", "deadbolt"}),
    "climate": frozenset({"thermostat", "thermostats", "heating", "temperature", "temp", "heater", "ac"}),
    "media_player": frozenset({"tv", "television", "speaker", "speakers", "music", "player"}),
}
HERE = frozenset({"here", "this room"})
EVERYWHERE = frozenset({"all", "every", "everywhere", "each", "whole house", "entire house"})
# Words that name no device: they never make a device's name "said".
_NOT_NAME_WORDS = frozenset({"the", "a", "an", "my", "our", "of", "in", "on", "and"})


@dataclass(frozen=True)
class ToolReach:
    """Which target slots a tool accepts and which kinds of device it acts on."""

    slots: AbstractSet[str]
    kinds: AbstractSet[str]


def tool_reach(tools: ModelTools, tool_name: str, home: HomeNames) -> ToolReach:
    if tool_name in tools.verbs:  # a verb tool calls HassTurnOn/Off with its kind pinned
        return ToolReach(TARGET_SLOTS, {tools.verbs[tool_name][1]})
    properties: dict[str, Any] = tools.schema(tool_name).get("properties", {})
    names = properties.get("name", {}).get("enum", [])
    kinds = {device.domain for name in names if (device := home.device_named(name))}
    return ToolReach(TARGET_SLOTS & set(properties), kinds)


class WrongKind(Exception):
    """The call names a device of another kind than the request asks for."""


def check_place(call: ToolCall, request: str, home: HomeNames, reach: ToolReach, here: str | None) -> ToolCall:
    """The call as the request meant it (see the module docstring); raises WrongKind to refuse it."""
    name = call.arguments.get("name")
    device = home.device_named(name) if isinstance(name, str) else None
    if device is None or says_device(request, device.name, device.aliases, home):
        return call
    words = _phrases(request)
    said_kinds = {kind for kind, kind_words in KIND_WORDS.items() if words & kind_words}
    if not said_kinds:
        return call
    reachable = sorted(said_kinds & reach.kinds)
    place = said_place(request, home, here)
    can_widen = bool(reachable) and place is not None and set(place) <= reach.slots
    if not can_widen:
        if device.domain in said_kinds:
            return call  # "turn on the lamp": the model's pick stands, the target guard judges it
        raise WrongKind(device.name)
    widened: dict[str, Any] = {key: value for key, value in call.arguments.items() if key not in TARGET_SLOTS}
    widened.update(place or {})
    if "domain" in reach.slots:
        widened["domain"] = reachable
    return ToolCall(call.name, widened)


def says_device(request: str, name: str, aliases: tuple[str, ...], home: HomeNames) -> bool:
    """The request says the device's full name, or a word of it that is not a place word."""
    text = f" {normalize(request)} "
    if any(f" {normalize(phrase)} " in text for phrase in (name, *aliases) if normalize(phrase)):
        return True
    place_words = {word for place in (*home.areas, *home.floors) for word in normalize(place).split()}
    own_words = {word for phrase in (name, *aliases) for word in normalize(phrase).split()}
    return bool((own_words - place_words - _NOT_NAME_WORDS) & set(text.split()))


def said_place(request: str, home: HomeNames, here: str | None) -> dict[str, str] | None:
    """The one place the request names: an area, a floor, "here", or everywhere ({})."""
    areas = mentioned_names(request, set(home.areas))
    floors = mentioned_names(request, set(home.floors))
    words = _phrases(request)
    if len(areas) == 1:
        return {"area": next(iter(areas))}
    if not areas and len(floors) == 1:
        return {"floor": next(iter(floors))}
    if areas or floors:
        return None  # several places: one call cannot name them
    if here and says_here(request):
        return {"area": here}
    if words & EVERYWHERE:
        return {}
    return None


def says_here(request: str) -> bool:
    return bool(_phrases(request) & HERE)


def _phrases(text: str) -> set[str]:
    """The request's words and two-word phrases ("this room", "whole house")."""
    words = normalize(text).split()
    return set(words) | {f"{first} {second}" for first, second in pairwise(words)}
