"""Turning the model's calls back into real Home Assistant calls."""

from custom_components.local_llm_assist.engine.data import Device, ToolSpec
from custom_components.local_llm_assist.engine.toolcall import ToolCall
from custom_components.local_llm_assist.engine.verbs import HomeNames, build_model_tools

TARGET = {"name": {"type": "string"}, "area": {"type": "string"}, "domain": {"type": "array"}}
TOOLS = [
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
    call = tools.dimmed_to_off(ToolCall("HassLightSet", {"name": "Ceiling", "brightness": 0}))
    assert call == ToolCall("HassTurnOff", {"name": "Ceiling", "domain": ["light"]})


def test_other_light_settings_stay_as_they_are() -> None:
    tools = build_model_tools(TOOLS, HOME)
    for arguments in ({"name": "Ceiling", "brightness": 30}, {"name": "Ceiling", "brightness": 0, "color": "red"}):
        call = ToolCall("HassLightSet", arguments)
        assert tools.dimmed_to_off(call) == call


def test_without_a_turn_off_tool_nothing_is_rewritten() -> None:
    tools = build_model_tools(TOOLS[1:], HOME)
    call = ToolCall("HassLightSet", {"name": "Ceiling", "brightness": 0})
    assert tools.dimmed_to_off(call) == call
