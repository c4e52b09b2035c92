"""The tools as the model sees them: live names as enums, and verb tools for locks and covers.

Each device-targeting tool only accepts names of devices it can act on (HassLightSet only
lights), so a call cannot land on the wrong kind of device.

Home Assistant locks a lock with HassTurnOn and unlocks it with HassTurnOff; small models map
"lock" to "off" (MODELS.md's probe shows it). So the model is offered tools named after the verb
the user says ("Lock", "Unlock", "Open", "Close"), each limited to devices of its type, and the
generic on/off tools no longer accept those devices. A verb call is rewritten into the real Home
Assistant call with the device type pinned, so "Lock" can never reach a light.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from typing import Any

from .data import ToolSpec
from .home_names import HomeNames
from .sole_names import mark_sole_names
from .toolcall import ToolCall
from .toolnames import bare_name, model_names


@dataclass(frozen=True)
class VerbTool:
    name: str
    target: str  # the Home Assistant tool's bare name
    domain: str
    description: str


VERB_TOOLS = (
    VerbTool("Lock", "HassTurnOn", "lock", "Locks a lock."),
    VerbTool("Unlock", "HassTurnOff", "lock", "Unlocks a lock."),
    VerbTool("Open", "HassTurnOn", "cover", "Opens a cover: a garage door, blinds, curtains, a gate."),
    VerbTool("Close", "HassTurnOff", "cover", "Closes a cover: a garage door, blinds, curtains, a gate."),
)


# The slots of a device intent that say which devices, as opposed to what to do with them.
TARGET_SLOTS = frozenset({"name", "area", "floor", "domain", "device_class"})

# Intents Home Assistant refuses without a target ("Service handler cannot target all devices":
# no slot, and no device type of their own to fall back on). Their arguments may not be `{}`, so
# the model is not asked to choose between `{}` and `{"` (a decode step in every such call).
NEED_A_TARGET = frozenset({"HassTurnOn", "HassTurnOff", "HassToggle"})


@dataclass(frozen=True)
class ModelTools:
    """The model-facing tools, and how to turn the model's calls back into real ones.

    Every name here is the one the model sees (toolnames.model_names); `to_real_call` alone turns a
    call into Home Assistant's.
    """

    specs: list[ToolSpec]
    verbs: dict[str, tuple[str, str]]  # verb tool name → (the tool it calls, pinned domain)
    turn_on: str | None = None  # the names of HassTurnOn and HassTurnOff, when offered
    turn_off: str | None = None
    given_names: dict[str, str] = field(default_factory=dict)  # model's name → Home Assistant's

    def schema(self, tool_name: str) -> dict[str, Any]:
        return next((spec.parameters for spec in self.specs if spec.name == tool_name), {})

    def light_set_as_switch(self, call: ToolCall, request: str = "") -> ToolCall:
        """A light set to nothing is a light turned on (off, if the request says "off"); set to
        brightness 0, turned off.

        Small models answer "turn the lights in the hall on" with a bare HassLightSet and "switch
        off the ceiling light" with brightness 0. Nobody says the 0, so the unsaid-number guard
        would drop it; either way the call would change nothing. A model may also answer "switch
        off the ceiling" with a brightness nobody said: once the guard drops it, what is left must
        not turn the light on.
        """
        if bare_name(call.name) != "HassLightSet":
            return call
        targets = {key: value for key, value in call.arguments.items() if key in TARGET_SLOTS}
        settings = {key: value for key, value in call.arguments.items() if key not in TARGET_SLOTS}
        if settings == {"brightness": 0} or (not settings and _says_off(request)):
            switch = self.turn_off
        elif not settings:
            switch = self.turn_on
        else:
            return call
        return ToolCall(switch, {**targets, "domain": ["light"]}) if switch else call

    def to_real_call(self, call: ToolCall) -> ToolCall:
        """The call Home Assistant is to make: a verb's real tool, under Home Assistant's name."""
        if call.name in self.verbs:
            name, domain = self.verbs[call.name]
            call = ToolCall(name, {**call.arguments, "domain": [domain]})
        return ToolCall(self.given_names.get(call.name, call.name), call.arguments)


# Home Assistant tools that skills here answer better, with those skills. Offering both splits a
# small model's choice (on 2026.11 "what is the outdoor temperature?" went to GetDateTime).
REPLACED_BY_SKILLS = {"GetDateTime": ("GetTime", "GetDate")}


# Home Assistant tools offered without their parameters. 2026.x gave GetLiveContext name, domain
# and area filters that take any text: a small model fills them with guesses ("domain":
# "temperature") and gets an error, while the answer is narrowed to what the request is about
# anyway (prompt.py).
SHOWN_WITHOUT_PARAMETERS = frozenset({"GetLiveContext"})


# Intents Home Assistant added after 2025.4, left to its own sentence matcher (hybrid mode answers
# "mute the tv" with them): offered to the model, they drew commands away from the tools it was
# measured with ("pause the speaker" muted it, "close the garage door" cancelled timers).
LEFT_TO_THE_SENTENCE_MATCHER = frozenset(
    {"HassFanSetSpeed", "HassMediaPlayerMute", "HassMediaPlayerUnmute", "HassSetVolumeRelative", "HassStopMoving"}
)


def build_model_tools(given_tools: list[ToolSpec], home: HomeNames) -> ModelTools:
    given_tools = _offered_to_the_model(given_tools)
    shown = model_names(tool.name for tool in given_tools)
    tools = [replace(tool, name=shown[tool.name]) for tool in given_tools]
    by_bare = {bare_name(tool.name): tool for tool in tools}
    taken = {tool.name for tool in tools}
    verbs = {
        verb.name: (by_bare[verb.target].name, verb.domain)
        for verb in VERB_TOOLS
        if verb.target in by_bare and verb.domain in home.domains and verb.name not in taken
    }
    verb_targets = {real for real, _ in verbs.values()}
    verb_domains = {domain for _, domain in verbs.values()}
    specs = [_verb_spec(verb, home) for verb in VERB_TOOLS if verb.name in verbs]
    # Home Assistant registers intents as integrations load, in no fixed order; a fixed order keeps
    # the prompt (and so the cached prefix and the model's answers) the same from one start to the
    # next. Small models lean on the order, so it is one that was measured (TOOL_ORDER).
    for tool in sorted(tools, key=_tool_order):
        if not tool.targets_devices:
            specs.append(_without_parameters(tool) if bare_name(tool.name) in SHOWN_WITHOUT_PARAMETERS else tool)
            continue
        domains = home.domains if tool.target_domains is None else home.domains & set(tool.target_domains)
        if tool.name in verb_targets:
            domains -= verb_domains
        if domains:
            specs.append(_with_live_names(tool, home, domains))
    turn_on, turn_off = (by_bare[name].name if name in by_bare else None for name in ("HassTurnOn", "HassTurnOff"))
    given = {shown[tool.name]: tool.name for tool in given_tools}
    return ModelTools(specs=specs, verbs=verbs, turn_on=turn_on, turn_off=turn_off, given_names=given)


# Small models lean on the order of the tools, so changing it changes their answers: the eval
# results hold for this one (the order Home Assistant 2025.4 registers its intents in). Tools not
# listed follow, by name.
TOOL_ORDER = (
    "HassTurnOn",
    "HassTurnOff",
    "HassSetPosition",
    "HassCancelAllTimers",
    "HassLightSet",
    "HassClimateSetTemperature",
    "HassMediaUnpause",
    "HassMediaPause",
    "HassMediaNext",
    "HassMediaPrevious",
    "HassSetVolume",
    "GetLiveContext",
)


def _offered_to_the_model(tools: list[ToolSpec]) -> list[ToolSpec]:
    """Home Assistant's tools less those a skill replaces and those left to its sentence matcher."""
    offered = {bare_name(tool.name) for tool in tools}

    def kept(name: str) -> bool:
        return name not in LEFT_TO_THE_SENTENCE_MATCHER and not offered.intersection(REPLACED_BY_SKILLS.get(name, ()))

    return [tool for tool in tools if kept(bare_name(tool.name))]


def _without_parameters(tool: ToolSpec) -> ToolSpec:
    return replace(tool, parameters={"type": "object", "properties": {}})


def _says_off(request: str) -> bool:
    return re.search(r"\boff\b", request.casefold()) is not None


def _tool_order(tool: ToolSpec) -> tuple[int, str]:
    name = bare_name(tool.name)
    return (TOOL_ORDER.index(name) if name in TOOL_ORDER else len(TOOL_ORDER), name)


def _verb_spec(verb: VerbTool, home: HomeNames) -> ToolSpec:
    name = {"type": "string", "enum": home.device_names({verb.domain})}
    return ToolSpec(verb.name, verb.description, {"type": "object", "properties": {"name": name}, "required": ["name"]})


def _with_live_names(tool: ToolSpec, home: HomeNames, domains: set[str]) -> ToolSpec:
    """The tool with its name/area/floor/domain slots limited to what exists for it, and the names
    that belong to one device marked as ending the target (sole_names.py).

    Its device classes stay as Home Assistant lists them: limited to the home's own, the dev set
    lost 1.5 points (evals/results/README.md).
    """
    parameters = copy.deepcopy(tool.parameters)
    properties: dict[str, Any] = parameters.get("properties", {})
    live: dict[str, list[str]] = {
        "name": home.device_names(domains),
        "area": home.areas,
        "floor": home.floors,
    }
    for slot, values in live.items():
        if properties.get(slot, {}).get("type") == "string":
            if values:
                properties[slot] = {**properties[slot], "enum": values}
            else:
                del properties[slot]
    if properties.get("domain", {}).get("type") == "array":
        properties["domain"] = {"type": "array", "items": {"type": "string", "enum": sorted(domains)}}
    # Only a name said before the other target slots can end them.
    names: list[str] = properties.get("name", {}).get("enum", []) if next(iter(properties), None) == "name" else []
    sole = [name for name in names if home.names_one_device(name)]
    if sole:
        mark_sole_names(parameters, sole, sorted(TARGET_SLOTS.intersection(properties) - {"name"}))
    if bare_name(tool.name) in NEED_A_TARGET:
        parameters["minProperties"] = 1
    return ToolSpec(tool.name, tool.description, parameters, tool.targets_devices, tool.target_domains)
