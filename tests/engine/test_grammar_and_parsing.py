"""Grammar compilation and output validation, checked with llama.cpp's own grammar engine."""

from __future__ import annotations

import json
from typing import Any

import pytest

from custom_components.local_llm_assist.engine.data import ToolSpec
from custom_components.local_llm_assist.engine.errors import InvalidModelOutputError
from custom_components.local_llm_assist.engine.grammar import build_grammar
from custom_components.local_llm_assist.engine.toolcall import Reply, ToolCall, parse_model_output

from .grammar_check import llama_cpp_accepts

TURN_ON = ToolSpec(
    name="HassTurnOn",
    description="Turns on a device",
    parameters={
        "type": "object",
        "properties": {
            "name": {"type": "string", "enum": ["Kitchen Light", 'Lamp "quoted" \\ one']},
            "area": {"type": "string", "enum": ["Kitchen"]},
            "domain": {"type": "array", "items": {"type": "string", "enum": ["light", "switch"]}},
        },
    },
)
SET_TEMPERATURE = ToolSpec(
    name="HassClimateSetTemperature",
    description="Sets a temperature",
    parameters={
        "type": "object",
        "properties": {"temperature": {"type": "number"}, "name": {"type": "string"}},
        "required": ["temperature"],
    },
)
TOOLS = [TURN_ON, SET_TEMPERATURE]


def test_grammar_compiles_in_llama_cpp(vocab: Any) -> None:
    """LlamaGrammar.from_string only keeps the text; llama.cpp parses it when the sampler is made."""
    grammar = build_grammar(TOOLS)
    assert "root ::=" in grammar
    assert llama_cpp_accepts(vocab, grammar)


def test_grammar_lists_only_offered_tools_and_names() -> None:
    grammar = build_grammar(TOOLS)
    assert '\\"HassTurnOn\\"' in grammar
    assert '\\"Kitchen Light\\"' in grammar
    assert "HassTurnOff" not in grammar


def test_grammar_without_tools_only_allows_a_reply() -> None:
    grammar = build_grammar([])
    assert grammar.startswith("root ::= reply")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"reply": "Paris."}', Reply("Paris.")),
        (
            '{"name": "HassTurnOn", "arguments": {"name": "Kitchen Light"}}',
            ToolCall("HassTurnOn", {"name": "Kitchen Light"}),
        ),
        (
            '{"name": "HassTurnOn", "arguments": {"area": "Kitchen", "domain": ["light"]}}',
            ToolCall("HassTurnOn", {"area": "Kitchen", "domain": ["light"]}),
        ),
        (
            '{"name": "HassClimateSetTemperature", "arguments": {"temperature": 21.5}}',
            ToolCall("HassClimateSetTemperature", {"temperature": 21.5}),
        ),
    ],
)
def test_valid_output_is_parsed(text: str, expected: Reply | ToolCall) -> None:
    assert parse_model_output(text, TOOLS) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Sure, turning it on", "not JSON"),
        ('["HassTurnOn"]', "not a JSON object"),
        ('{"name": "HassUnlockAll", "arguments": {}}', "unknown tool"),
        ('{"name": "HassTurnOn", "arguments": {"name": "Back Door"}}', "not one of the allowed"),
        ('{"name": "HassTurnOn", "arguments": {"code": "__import__(\'os\')"}}', "unknown argument"),
        ('{"name": "HassClimateSetTemperature", "arguments": {}}', "missing"),
        ('{"name": "HassClimateSetTemperature", "arguments": {"temperature": "hot"}}', "expected number"),
        ('{"name": "HassTurnOn", "arguments": {"domain": "light"}}', "expected array"),
        ('{"reply": "   "}', "empty reply"),
        ('{"name": "HassTurnOn", "arguments": {}, "extra": 1}', "unexpected keys"),
        ('{"name": "HassTurnOn", "arguments": {"name": "Kitchen', "not JSON"),
    ],
)
def test_invalid_output_is_rejected(text: str, reason: str) -> None:
    with pytest.raises(InvalidModelOutputError, match=reason):
        parse_model_output(text, TOOLS)


def test_enum_values_with_quotes_round_trip() -> None:
    call = json.dumps({"name": "HassTurnOn", "arguments": {"name": 'Lamp "quoted" \\ one'}})
    assert parse_model_output(call, TOOLS) == ToolCall("HassTurnOn", {"name": 'Lamp "quoted" \\ one'})
