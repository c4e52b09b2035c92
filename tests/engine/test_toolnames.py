"""Tool names as Home Assistant gives them (2026.9+ prefixes them) and as the model sees them."""

from dataclasses import replace

from custom_components.local_llm_assist.engine.data import Device, ToolSpec
from custom_components.local_llm_assist.engine.grammar import build_grammar
from custom_components.local_llm_assist.engine.home_names import HomeNames
from custom_components.local_llm_assist.engine.model_tools import build_model_tools
from custom_components.local_llm_assist.engine.prompt import build_examples, build_system_prompt
from custom_components.local_llm_assist.engine.toolcall import ToolCall
from custom_components.local_llm_assist.engine.toolnames import bare_name, model_names

TARGET = {"name": {"type": "string"}, "area": {"type": "string"}, "domain": {"type": "array"}}
DEVICE_TOOL = {"type": "object", "properties": TARGET}
# What 2025.4 gives, and the same tools as 2026.11 names them.
BARE_TOOLS = [
    ToolSpec("GetLiveContext", "What is on", {"type": "object", "properties": {}}),
    ToolSpec("HassTurnOff", "Turns off a device", DEVICE_TOOL, True),
    ToolSpec("HassTurnOn", "Turns on a device", DEVICE_TOOL, True),
    ToolSpec("HassLightSet", "Sets a light", {"type": "object", "properties": {**TARGET, "brightness": {}}}, True),
]
PREFIXES = {"GetLiveContext": "homeassistant", "HassLightSet": "light"}
PREFIXED_TOOLS = [replace(tool, name=f"{PREFIXES.get(tool.name, 'intent')}__{tool.name}") for tool in BARE_TOOLS]
DEVICES = [Device("Ceiling", "light", "Living Room"), Device("Front Door", "lock", "Hall")]
HOME = HomeNames(DEVICES, ["Hall", "Living Room"], [])


def test_bare_name_drops_every_prefix() -> None:
    assert bare_name("HassTurnOn") == "HassTurnOn"
    assert bare_name("intent__HassTurnOn") == "HassTurnOn"
    assert bare_name("assist__intent__HassTurnOn") == "HassTurnOn"
    assert bare_name("script__good_night") == "good_night"


def test_the_model_sees_the_same_tools_prompt_and_grammar_on_both_versions() -> None:
    old, new = build_model_tools(BARE_TOOLS, HOME), build_model_tools(PREFIXED_TOOLS, HOME)
    assert [spec.name for spec in new.specs] == [spec.name for spec in old.specs]
    assert [spec.name for spec in new.specs] == [
        "Lock",
        "Unlock",
        "HassTurnOn",
        "HassTurnOff",
        "HassLightSet",
        "GetLiveContext",
    ]
    assert build_system_prompt("Be brief.", new.specs, DEVICES) == build_system_prompt("Be brief.", old.specs, DEVICES)
    assert build_grammar(new.specs) == build_grammar(old.specs)
    assert build_examples(new.specs, DEVICES) == build_examples(old.specs, DEVICES)
    assert "intent__" not in build_system_prompt("", new.specs, DEVICES)


def test_calls_are_made_under_home_assistants_names() -> None:
    tools = build_model_tools(PREFIXED_TOOLS, HOME)
    assert tools.to_real_call(ToolCall("HassTurnOn", {"name": "Ceiling"})) == ToolCall(
        "intent__HassTurnOn", {"name": "Ceiling"}
    )
    assert tools.to_real_call(ToolCall("Lock", {"name": "Front Door"})) == ToolCall(
        "intent__HassTurnOn", {"name": "Front Door", "domain": ["lock"]}
    )
    switched = tools.light_set_as_switch(ToolCall("HassLightSet", {"name": "Ceiling", "brightness": 0}))
    assert switched == ToolCall("HassTurnOff", {"name": "Ceiling", "domain": ["light"]})
    assert tools.to_real_call(switched).name == "intent__HassTurnOff"


def test_tools_sharing_a_bare_name_keep_home_assistants_names() -> None:
    names = model_names(["assist__intent__HassTurnOn", "other__HassTurnOn", "llm__GetDateTime"])
    assert names == {
        "assist__intent__HassTurnOn": "assist__intent__HassTurnOn",
        "other__HassTurnOn": "other__HassTurnOn",
        "llm__GetDateTime": "GetDateTime",
    }


def test_home_assistants_rewording_of_a_known_intent_does_not_reach_the_model() -> None:
    """2026.x tells the model to lock with HassTurnOn; here locks have their own tool."""
    lock_wording = "Turns on/opens/presses a device or entity. For locks, this performs a 'lock' action."
    reworded = [replace(tool, description=lock_wording) if tool.name == "HassTurnOn" else tool for tool in BARE_TOOLS]
    prompt = build_system_prompt("", build_model_tools(reworded, HOME).specs, DEVICES)
    assert prompt == build_system_prompt("", build_model_tools(BARE_TOOLS, HOME).specs, DEVICES)
    assert "'lock' action" not in prompt


def test_live_context_is_offered_without_the_filters_2026_added() -> None:
    """A small model fills free-text filters with guesses ("domain": "temperature") and gets an error."""
    filters = {"type": "object", "properties": {"name": {"type": "string"}, "domain": {"type": "array"}}}
    with_filters = [replace(tool, parameters=filters) if tool.name == "GetLiveContext" else tool for tool in BARE_TOOLS]
    specs = build_model_tools(with_filters, HOME).specs
    assert build_grammar(specs) == build_grammar(build_model_tools(BARE_TOOLS, HOME).specs)
    assert next(spec for spec in specs if spec.name == "GetLiveContext").parameters["properties"] == {}
