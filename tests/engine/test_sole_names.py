"""A name that belongs to one device ends the call's target: the grammar and the output schema."""

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
from .tool_specs import LIGHT_SET, TARGET

# Two lamps share a name; the ceiling light is the only one of its name.
HOME = HomeNames(
    [
        Device("Lamp", "light", "Bedroom"),
        Device("Lamp", "light", "Office"),
        Device("Ceiling Light", "light", "Office"),
    ],
    ["Bedroom", "Office"],
    [],
)
ADMITTED = [
    {"name": "Ceiling Light"},
    {"name": "Ceiling Light", "brightness": 30},
    {"name": "Lamp", "area": "Office"},
    {"area": "Office", "domain": ["light"]},
]
REFUSED = [
    {"name": "Ceiling Light", "area": "Office"},
    {"name": "Ceiling Light", "domain": ["light"], "brightness": 30},
]


def call_text(arguments: dict[str, Any]) -> str:
    return json.dumps({"name": "HassLightSet", "arguments": arguments})


@pytest.fixture(scope="module")
def grammar() -> str:
    return build_grammar(build_model_tools([LIGHT_SET], HOME).specs)


def test_only_the_names_of_one_device_are_marked() -> None:
    (spec,) = build_model_tools([LIGHT_SET], HOME).specs
    assert spec.parameters["x-sole-names"] == {"values": ["Ceiling Light"], "drops": ["area", "domain"]}
    assert spec.parameters["properties"]["name"]["enum"] == ["Ceiling Light", "Lamp"]  # the prompt's view is whole


@pytest.mark.parametrize("arguments", ADMITTED)
def test_the_grammar_admits_a_sole_name_alone_and_shared_names_with_an_area(
    vocab: Any, tokenizer: Any, grammar: str, arguments: dict[str, Any]
) -> None:
    assert llama_cpp_accepts(vocab, grammar)
    assert grammar_admits(tokenizer, grammar, call_text(arguments))


@pytest.mark.parametrize("arguments", REFUSED)
def test_the_grammar_refuses_a_target_slot_after_a_sole_name(
    tokenizer: Any, grammar: str, arguments: dict[str, Any]
) -> None:
    assert not grammar_admits(tokenizer, grammar, call_text(arguments))


def test_the_output_schema_offers_the_same_two_objects() -> None:
    schema = build_output_schema(build_model_tools([LIGHT_SET], HOME).specs)
    sole, shared = schema["anyOf"][0]["properties"]["arguments"]["anyOf"]
    assert sole["properties"]["name"]["enum"] == ["Ceiling Light"] and "name" in sole["required"]
    assert set(sole["properties"]) == {"name", "brightness"}
    assert shared["properties"]["name"]["enum"] == ["Lamp"] and set(shared["properties"]) == {*TARGET, "brightness"}
    assert sole["additionalProperties"] is False and shared["additionalProperties"] is False


def test_a_tool_without_a_sole_name_is_not_marked() -> None:
    home = HomeNames([Device("Lamp", "light", "Bedroom"), Device("Lamp", "light", "Office")], ["Bedroom"], [])
    (spec,) = build_model_tools([LIGHT_SET], home).specs
    assert "x-sole-names" not in spec.parameters
