"""Turning the model's calls back into real Home Assistant calls."""

from custom_components.local_llm_assist.engine.data import Device, ToolSpec
from custom_components.local_llm_assist.engine.home_names import HomeNames
from custom_components.local_llm_assist.engine.model_tools import build_model_tools
from custom_components.local_llm_assist.engine.toolcall import ToolCall

TARGET = {"name": {"type": "string"}, "area": {"type": "string"}, "domain": {"type": "array"}}
TOOLS = [
    ToolSpec("HassTurnOn", "Turns on a device", {"type": "object", "properties": TARGET}, True),
    ToolSpec("HassTurnOff", "Turns off a device", {"type": "object", "properties": TARGET}, True),
    ToolSpec(
        "HassLightSet",
        "Sets a light",
        {"type": "object", "properties": {**TARGET, "brightness": {"type": "integer"}}},
        True,
        ("light",),
    ),
]
HOME = HomeNames([Device("Ceiling", "light", "Living Room")], ["Living Room"], [])


def test_a_light_dimmed_to_zero_is_turned_off() -> None:
    tools = build_model_tools(TOOLS, HOME)
    call = tools.light_set_as_switch(ToolCall("HassLightSet", {"name": "Ceiling", "brightness": 0}))
    assert call == ToolCall("HassTurnOff", {"name": "Ceiling", "domain": ["light"]})


def test_other_light_settings_stay_as_they_are() -> None:
    tools = build_model_tools(TOOLS, HOME)
    for arguments in ({"name": "Ceiling", "brightness": 30}, {"name": "Ceiling", "brightness": 0, "color": "red"}):
        call = ToolCall("HassLightSet", arguments)
        assert tools.light_set_as_switch(call) == call


def test_a_light_set_to_nothing_is_turned_on() -> None:
    tools = build_model_tools(TOOLS, HOME)
    call = tools.light_set_as_switch(ToolCall("HassLightSet", {"area": "Living Room"}))
    assert call == ToolCall("HassTurnOn", {"area": "Living Room", "domain": ["light"]})


def test_a_light_set_to_nothing_when_the_request_says_off_is_turned_off() -> None:
    """A model answered "switch off the living room ceiling" with a brightness nobody said; once
    the unsaid value is dropped, the bare light-set must not turn the light on."""
    tools = build_model_tools(TOOLS, HOME)
    call = tools.light_set_as_switch(ToolCall("HassLightSet", {"name": "Ceiling"}), "switch off the ceiling")
    assert call == ToolCall("HassTurnOff", {"name": "Ceiling", "domain": ["light"]})
    call = tools.light_set_as_switch(ToolCall("HassLightSet", {"name": "Ceiling"}), "office lights please")
    assert call == ToolCall("HassTurnOn", {"name": "Ceiling", "domain": ["light"]})


def test_without_on_off_tools_nothing_is_rewritten() -> None:
    tools = build_model_tools(TOOLS[2:], HOME)
    for arguments in ({"name": "Ceiling", "brightness": 0}, {"name": "Ceiling"}):
        call = ToolCall("HassLightSet", arguments)
        assert tools.light_set_as_switch(call) == call


def _no_arguments(name: str) -> ToolSpec:
    return ToolSpec(name, "", {"type": "object", "properties": {}})


def test_home_assistants_clock_tool_gives_way_to_the_time_skills() -> None:
    """Two tools for one question split a small model's choice; the skills answer it better."""
    clock = _no_arguments("llm__GetDateTime")
    with_skills = build_model_tools([clock, _no_arguments("local_llm_assist_skills__GetTime")], HOME)
    assert [spec.name for spec in with_skills.specs] == ["GetTime"]
    assert [spec.name for spec in build_model_tools([clock], HOME).specs] == ["GetDateTime"]


def test_intents_added_after_2025_4_are_left_to_home_assistants_sentence_matcher() -> None:
    """Offered to the model, "pause the speaker" muted it: the measured tools must not lose commands."""
    mute = ToolSpec("intent__HassMediaPlayerMute", "Mutes", {"type": "object", "properties": TARGET}, True)
    offered = [spec.name for spec in build_model_tools([*TOOLS, mute], HOME).specs]
    assert offered == ["HassTurnOn", "HassTurnOff", "HassLightSet"]
