"""The model's output format as a JSON schema, for servers that take a schema instead of a grammar.

It describes exactly what grammar.py admits, built from the same tool specs: one JSON object,
either {"name": "<tool>", "arguments": {...}} or {"reply": "<text>"}. OpenAI-compatible servers
(vLLM, Ollama, LM Studio, LocalAI, llama-cpp-python) compile it into their own constraint. Objects
are closed (`additionalProperties: false`) and strings and arrays bounded as in the grammar, so a
constrained server cannot pad the answer with keys the parser would reject.
"""

from __future__ import annotations

from typing import Any

from .data import ToolSpec
from .grammar import MAX_ARRAY_ITEMS, MAX_FREE_STRING_CHARS, MAX_REPLY_CHARS, REPLY_KEY
from .sole_names import SOLE_NAMES, split_by_sole_names


def build_output_schema(tools: list[ToolSpec], *, allow_reply: bool = True) -> dict[str, Any]:
    """The JSON schema for one model turn: a call of one of `tools`, or a spoken reply."""
    options = [_call_schema(tool) for tool in tools]
    if allow_reply or not options:
        reply = {"type": "string", "minLength": 1, "maxLength": MAX_REPLY_CHARS}
        options.append(_closed_object({REPLY_KEY: reply}, [REPLY_KEY]))
    return options[0] if len(options) == 1 else {"anyOf": options}


def _call_schema(tool: ToolSpec) -> dict[str, Any]:
    arguments = _bounded({"type": "object", **tool.parameters})
    return _closed_object(
        {"name": {"type": "string", "enum": [tool.name]}, "arguments": arguments}, ["name", "arguments"]
    )


def _closed_object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _bounded(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of a tool's parameter schema with the grammar's limits added (the input is not changed)."""
    if SOLE_NAMES in schema:
        return {"anyOf": [_bounded(variant) for variant in split_by_sole_names(schema)]}
    bounded = dict(schema)
    kind = schema.get("type")
    if kind == "object":
        bounded["properties"] = {key: _bounded(value) for key, value in schema.get("properties", {}).items()}
        bounded["additionalProperties"] = False
    elif kind == "array":
        bounded["items"] = _bounded(schema.get("items", {}))
        bounded["maxItems"] = MAX_ARRAY_ITEMS
    elif kind == "string" and "enum" not in schema:
        bounded["maxLength"] = MAX_FREE_STRING_CHARS
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            bounded[combinator] = [_bounded(option) for option in schema[combinator]]
    return bounded
