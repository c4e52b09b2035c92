"""Requests about a place and a kind of device ("turn off the kitchen lights"), not one device.

A small model answers them by naming one device of that place, often of another kind (the kitchen
switch for "the kitchen lights"), and Home Assistant then acts on exactly that one. So a call that
names a device the user did not describe (no word of its own name was said, only its area) is
checked against what was said:
- a kind of device and a place were said: the call is widened to every device of that kind there
  (not for locks and covers, see WIDENED_KINDS);
- only the device's kind was said ("turn on the light"): the model's pick stands;
- otherwise it is refused: the device is not what the user asked for.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from .data import Device
from .home_names import HomeNames
from .model_tools import TARGET_SLOTS, ModelTools
from .text import (
    ALL_STRICT_KIND_WORDS,
    EVERYWHERE,
    NOT_NAME_WORDS,
    STRICT_KIND_WORDS,
    mentioned_names,
    normalize,
    phrases,
)
from .toolcall import ToolCall
from .utterance import Utterance

# Kinds a call may be widened to. Never locks or covers: "unlock every lock" must name its locks
# (it is also how an injected instruction reads), and "all covers" takes in the garage door.
WIDENED_KINDS = frozenset({"light", "switch", "fan", "climate", "media_player"})


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


class WrongDevice(Exception):
    """The call names a device the request did not ask for."""


def rewrite_or_refuse(call: ToolCall, utterance: Utterance, home: HomeNames, reach: ToolReach) -> ToolCall:
    """The call as the request meant it (see the module docstring); raises WrongDevice to refuse it.

    The device may be described anywhere in what the user said in the conversation, so a
    follow-up ("turn it off") may name the device of an earlier turn; kinds and places count
    only in this turn's request.
    """
    said = utterance.said_by_user
    words = phrases(utterance.text)
    said_kinds = {kind for kind, kind_words in STRICT_KIND_WORDS.items() if words & kind_words}
    name = call.arguments.get("name")
    device = home.device_named(name) if isinstance(name, str) else None
    if device is None:
        return _narrowed(call, said_kinds & reach.kinds)
    if says_full_name(said, device) or says_own_word(said, device, home):
        return call  # the user described this device ("the lamp in the living room")
    if not said_kinds and len(reach.kinds) == 1:
        said_kinds = set(reach.kinds)  # a one-kind tool says it: "bedroom 50%" with light-set is lights
    if widened := _widened(call, utterance, home, reach, said_kinds):
        return widened
    if device.domain in said_kinds:
        return call  # "turn on the light": the model's pick stands, the target guard judges it
    raise WrongDevice(device.name)


def _narrowed(call: ToolCall, said_kinds: set[str]) -> ToolCall:
    """A call on device kinds (no name) keeps only the kinds said: "turn all living room fans off"
    must not take in the lights and switches the model listed beside the fans."""
    kinds = call.arguments.get("domain")
    if not said_kinds or not isinstance(kinds, list) or set(kinds) <= said_kinds:
        return call
    return ToolCall(call.name, {**call.arguments, "domain": sorted(said_kinds)})


def _widened(
    call: ToolCall, utterance: Utterance, home: HomeNames, reach: ToolReach, said_kinds: set[str]
) -> ToolCall | None:
    """The call on every device of the kinds said, in the place said; None when it cannot be."""
    kinds = sorted(said_kinds & reach.kinds & WIDENED_KINDS)
    place = said_place(utterance, home)
    here = utterance.satellite_area
    if not kinds or place is None or not set(place) <= reach.slots:
        return None
    # A satellite's room said or implied ("lights off") is meant only if it has such a device:
    # "set the temperature to 20" said in a room without a thermostat means the thermostat.
    if place == {"area": here} and not any(d.area == here and d.domain in said_kinds for d in home.devices):
        return None
    arguments: dict[str, Any] = {key: value for key, value in call.arguments.items() if key not in TARGET_SLOTS}
    arguments.update(place)
    if "domain" in reach.slots:
        arguments["domain"] = kinds
    return ToolCall(call.name, arguments)


def says_full_name(text: str, device: Device) -> bool:
    padded = f" {normalize(text)} "
    return any(f" {normalize(phrase)} " in padded for phrase in (device.name, *device.aliases) if normalize(phrase))


def says_own_word(text: str, device: Device, home: HomeNames) -> bool:
    """A word of the device's name that is not a place word was said ("the reading one").

    A plural counts ("doors" for "Back Door"), except of a kind word: "the living room lights"
    asks for every light there, not the one called "Living Room Light".
    """
    said = set(normalize(text).split())
    place_words = {word for place in (*home.areas, *home.floors) for word in normalize(place).split()}
    own = {word for phrase in (device.name, *device.aliases) for word in normalize(phrase).split()}
    return any(
        word in said or (word not in ALL_STRICT_KIND_WORDS and {f"{word}s", f"{word}es"} & said)
        for word in own - place_words - NOT_NAME_WORDS
    )


def said_place(utterance: Utterance, home: HomeNames) -> dict[str, str] | None:
    """The one place the request names: an area, a floor, "here", or everywhere ({}).

    A request that names no place means the satellite's area, as in Home Assistant's own
    sentences ("lights on" said in the kitchen).
    """
    request, here = utterance.text, utterance.satellite_area
    areas = mentioned_names(request, set(home.areas))
    floors = mentioned_names(request, set(home.floors))
    if len(areas) == 1:
        return {"area": next(iter(areas))}
    if not areas and len(floors) == 1:
        return {"floor": next(iter(floors))}
    if areas or floors:
        return None  # several places: one call cannot name them
    if utterance.spoken_place:
        return {"area": utterance.spoken_place}
    if phrases(request) & EVERYWHERE:
        return {}
    return {"area": here} if here else None
