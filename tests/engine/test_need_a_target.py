"""Tools Home Assistant refuses without a target take no empty arguments; the others still may."""

from __future__ import annotations

import json
from typing import Any

import pytest

from custom_components.local_llm_assist.engine.data import Device
from custom_components.local_llm_assist.engine.grammar import build_grammar
from custom_components.local_llm_assist.engine.home_names import HomeNames
from custom_components.local_llm_assist.engine.model_tools import build_model_tools
from custom_components.local_llm_assist.engine.output_schema import build_output_schema

from .grammar_check import grammar_admits, llama_cpp_accepts
from .tool_specs import LIGHT_SET, TURN_ON

# Both lamps share their name, so the arguments are one object (no sole-name variants).
HOME = HomeNames([Device("Lamp", "light", "Bedroom"), Device("Lamp", "light", "Office")], ["Bedroom", "Office"], [])


@pytest.fixture(scope="module")
def grammar() -> str:
    return build_grammar(build_model_tools([TURN_ON, LIGHT_SET], HOME).specs)


def call_text(tool: str, arguments: dict[str, Any]) -> str:
    return json.dumps({"name": tool, "arguments": arguments})


def test_turning_on_needs_a_target(vocab: Any, tokenizer: Any, grammar: str) -> None:
    assert llama_cpp_accepts(vocab, grammar)
    assert not grammar_admits(tokenizer, grammar, call_text("HassTurnOn", {}))
    assert grammar_admits(tokenizer, grammar, call_text("HassTurnOn", {"domain": ["light"]}))
    assert grammar_admits(tokenizer, grammar, call_text("HassTurnOn", {"name": "Lamp", "area": "Office"}))


def test_a_tool_with_a_device_type_of_its_own_may_still_be_called_bare(tokenizer: Any, grammar: str) -> None:
    """A bare HassLightSet is the lights where the satellite is (model_tools.light_set_as_switch)."""
    assert grammar_admits(tokenizer, grammar, call_text("HassLightSet", {}))


def test_a_sole_name_keeps_the_target_required() -> None:
    """With a name of one device the arguments split in two objects; neither may be empty."""
    home = HomeNames([Device("Lamp", "light", "Bedroom"), Device("Fan", "fan", "Office")], ["Bedroom"], [])
    (spec,) = build_model_tools([TURN_ON], home).specs
    sole, rest = build_output_schema([spec])["anyOf"][0]["properties"]["arguments"]["anyOf"]
    assert sole["minProperties"] == 1 and rest["minProperties"] == 1


def test_model_servers_get_the_same_rule() -> None:
    schema = build_output_schema(build_model_tools([TURN_ON, LIGHT_SET], HOME).specs)
    turn_on, light_set = (option["properties"]["arguments"] for option in schema["anyOf"][:2])
    assert turn_on["minProperties"] == 1
    assert "minProperties" not in light_set
