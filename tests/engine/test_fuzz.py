"""Fuzzing with Hypothesis: everything that reads untrusted text either answers or fails with its own error.

Model output (from a local model or a remote server), tool arguments, tool schemas and entity
names (compiled into a grammar that llama.cpp itself must accept), spoken calculations and RSS
documents. `scripts/test` runs the quick profile; `scripts/stress` runs the `stress` profile
(`--hypothesis-profile=stress`, over 10,000 inputs in all).
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from custom_components.local_llm_assist.engine.data import ToolSpec
from custom_components.local_llm_assist.engine.errors import InvalidModelOutputError
from custom_components.local_llm_assist.engine.grammar import build_grammar
from custom_components.local_llm_assist.engine.toolcall import Reply, ToolCall, parse_model_output, validate_value
from custom_components.local_llm_assist.skills.calculator.arithmetic import CalculatorError, calculate
from custom_components.local_llm_assist.skills.news.feeds import FeedError, parse_headlines

from .grammar_check import llama_cpp_accepts

# -- strategies -------------------------------------------------------------------------------

# Names as people type them: quotes, backslashes, any script, emoji, control characters, very long.
names = st.one_of(st.text(min_size=1, max_size=40), st.text(min_size=200, max_size=600))
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=50))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)


def _objects(values: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Object schemas whose properties follow `values`, some of them required."""
    return st.dictionaries(names, values, max_size=4).flatmap(
        lambda properties: st.builds(
            lambda required: {"type": "object", "properties": properties, "required": required},
            st.lists(st.sampled_from(sorted(properties)), unique=True) if properties else st.just([]),
        )
    )


def _schemas() -> st.SearchStrategy[dict[str, Any]]:
    """The JSON-schema subset Home Assistant's tools are converted to (see engine/grammar.py)."""
    leaves = st.one_of(
        st.sampled_from([{"type": kind} for kind in ("string", "integer", "number", "boolean")]),
        st.lists(names, min_size=1, max_size=6).map(lambda values: {"type": "string", "enum": values}),
        st.just({}),
    )

    def nested(inner: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
        arrays = inner.map(lambda items: {"type": "array", "items": items})
        unions = st.lists(inner, min_size=1, max_size=3).map(lambda options: {"anyOf": options})
        return st.one_of(_objects(inner), arrays, unions)

    return st.recursive(leaves, nested, max_leaves=6)


object_schemas = _objects(_schemas())
tools = st.lists(
    st.builds(lambda name, params: ToolSpec(name=name, description="", parameters=params), names, object_schemas),
    max_size=4,
    unique_by=lambda tool: tool.name,
)

# -- the grammar is accepted by llama.cpp's own parser -------------------------------------------


@given(tools=tools, allow_reply=st.booleans())
def test_any_tools_and_names_compile_to_a_grammar_llama_cpp_accepts(
    vocab: Any, tools: list[ToolSpec], allow_reply: bool
) -> None:
    assert llama_cpp_accepts(vocab, build_grammar(tools, allow_reply=allow_reply))


def test_a_broken_grammar_is_told_apart(vocab: Any) -> None:
    """The check above can fail: llama.cpp refuses what is not GBNF."""
    assert not llama_cpp_accepts(vocab, 'root ::= "unterminated')


# -- model output into the parser and validator --------------------------------------------------

model_texts = st.one_of(
    st.text(max_size=300),
    json_values.map(json.dumps),
    st.integers(1, 3_000).map(lambda depth: "[" * depth + "]" * depth),  # nesting deeper than the stack
    st.integers(4_000, 6_000).map(lambda digits: "9" * digits),  # more digits than Python converts
    st.builds(lambda text: json.dumps({"reply": text}), st.text(max_size=100)),
)


def _check_parsed(text: str, offered: list[ToolSpec]) -> None:
    try:
        parsed = parse_model_output(text, offered)
    except InvalidModelOutputError:
        return
    if isinstance(parsed, ToolCall):
        tool = next(tool for tool in offered if tool.name == parsed.name)
        validate_value(parsed.arguments, {"type": "object", **tool.parameters}, tool.name)
    else:
        assert isinstance(parsed, Reply) and parsed.text.strip()


@given(text=model_texts, offered=tools)
@example(text="9" * 4301, offered=[])  # found: a ValueError that is not a JSONDecodeError
@example(text="[" * 100_000 + "]" * 100_000, offered=[])
def test_any_model_output_is_parsed_or_refused(text: str, offered: list[ToolSpec]) -> None:
    _check_parsed(text, offered)


@given(offered=tools.filter(bool), data=st.data())
def test_any_tool_arguments_are_validated_or_refused(offered: list[ToolSpec], data: st.DataObject) -> None:
    tool = data.draw(st.sampled_from(offered))
    arguments = data.draw(st.one_of(json_values, st.dictionaries(names, json_values, max_size=4)))
    _check_parsed(json.dumps({"name": tool.name, "arguments": arguments}), offered)


# -- spoken calculations -----------------------------------------------------------------------------

spoken_terms = st.sampled_from(
    ["plus", "minus", "times", "divided by", "to the power of", "percent of", "squared", "square root of", "(", ")"]
)
numbers = st.one_of(
    st.integers(-(10**40), 10**40).map(str), st.decimals(allow_nan=False, allow_infinity=False).map(str)
)
calculations = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(numbers, spoken_terms, st.sampled_from("+-*/^%().")), max_size=70).map(" ".join),
)


@given(text=calculations)
def test_any_calculation_answers_or_says_why_not(text: str) -> None:
    try:
        result = calculate(text)
    except CalculatorError as err:
        assert err.code.startswith("calculator_")
        return
    assert result.spoken


# -- RSS and Atom feeds ----------------------------------------------------------------------------

titles = st.lists(st.text(max_size=80), max_size=5)
encodings = st.sampled_from(["utf-8", "utf-16", "utf-32", "iso-8859-1"])


def rss(items: list[str]) -> str:
    body = "".join(f"<item><title>{escape(title)}</title></item>" for title in items)
    return f"<rss><channel>{body}</channel></rss>"


@given(document=st.one_of(st.binary(max_size=500), st.text(max_size=300).map(str.encode)))
def test_any_bytes_are_read_as_a_feed_or_refused(document: bytes) -> None:
    try:
        assert isinstance(parse_headlines(document, 5), list)
    except FeedError as err:
        assert err.code.startswith("feed_")


@given(items=titles, encoding=encodings)
def test_any_headlines_in_any_encoding_are_read_back(items: list[str], encoding: str) -> None:
    """Titles survive whatever they contain, in any encoding the document declares."""
    text = f'<?xml version="1.0" encoding="{encoding}"?>' + rss(items)
    try:
        document = text.encode(encoding)
    except UnicodeEncodeError:
        return  # a title this encoding cannot carry
    try:
        headlines = parse_headlines(document, 5)
    except FeedError as err:
        assert err.code == "feed_malformed"  # XML cannot carry some control characters at all
        return
    assert headlines == [" ".join(title.split())[:200] for title in items if title.strip()][:5]


@example(encoding="utf-16", declaration="<!DOCTYPE rss [")  # found: a byte search missed it
@given(encoding=encodings, declaration=st.sampled_from(["<!DOCTYPE rss [", "<!ENTITY x 'y'>", "<!doctype rss>"]))
def test_a_dtd_is_refused_in_any_encoding(encoding: str, declaration: str) -> None:
    """A DTD can declare entities that expand without bound ("billion laughs"): never parsed."""
    dtd = declaration + ("]>" if declaration.endswith("[") else "")
    document = f'<?xml version="1.0" encoding="{encoding}"?>{dtd}{rss(["hello"])}'.encode(encoding)
    with pytest.raises(FeedError):
        parse_headlines(document, 5)
