"""Parse model output into a reply or a tool call, and validate it. Output is data, never code.

The grammar already keeps a local model inside this shape; the same checks run anyway, because
output can come from an engine that was not constrained (a remote server) or be cut short by the
token limit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .data import ToolSpec
from .errors import InvalidModelOutputError
from .grammar import REPLY_KEY


@dataclass(frozen=True)
class Reply:
    text: str


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: dict[str, Any]


def parse_model_output(text: str, tools: list[ToolSpec]) -> Reply | ToolCall:
    """Turn the model's text into a validated Reply or ToolCall."""
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidModelOutputError(f"not JSON ({err.msg}): {text[:200]!r}") from err
    except (ValueError, RecursionError) as err:  # an integer of thousands of digits, nesting past the stack
        raise InvalidModelOutputError(f"JSON out of bounds ({err}): {text[:200]!r}") from err
    if not isinstance(payload, dict):
        raise InvalidModelOutputError(f"not a JSON object: {text[:200]!r}")
    if set(payload) == {REPLY_KEY}:
        reply = payload[REPLY_KEY]
        if not isinstance(reply, str) or not reply.strip():
            raise InvalidModelOutputError("empty reply")
        return Reply(reply.strip())
    if set(payload) != {"name", "arguments"}:
        raise InvalidModelOutputError(f"unexpected keys {sorted(payload)}")
    tool = next((tool for tool in tools if tool.name == payload["name"]), None)
    if tool is None:
        raise InvalidModelOutputError(f"unknown tool {payload['name']!r}")
    arguments = payload["arguments"]
    if not isinstance(arguments, dict):
        raise InvalidModelOutputError("arguments must be an object")
    validate_value(arguments, {"type": "object", **tool.parameters}, path=tool.name)
    return ToolCall(tool.name, arguments)


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def validate_value(value: Any, schema: dict[str, Any], path: str) -> None:
    """Check `value` against the subset of JSON schema the grammar compiler emits."""
    if "enum" in schema and value not in schema["enum"]:
        raise InvalidModelOutputError(f"{path}: {value!r} is not one of the allowed values")
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            _validate_any_of(value, schema[combinator], path)
            return
    kind = schema.get("type")
    if kind is None:
        return
    expected = _JSON_TYPES.get(kind, ())
    if expected and (not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool))):
        raise InvalidModelOutputError(f"{path}: expected {kind}, got {type(value).__name__}")
    if kind == "object":
        _validate_object(value, schema, path)
    elif kind == "array":
        for index, item in enumerate(value):
            validate_value(item, schema.get("items", {}), f"{path}[{index}]")


def _validate_any_of(value: Any, options: list[dict[str, Any]], path: str) -> None:
    for option in options:
        try:
            validate_value(value, option, path)
        except InvalidModelOutputError:
            continue
        return
    raise InvalidModelOutputError(f"{path}: {value!r} matches none of the allowed forms")


def _validate_object(value: dict[str, Any], schema: dict[str, Any], path: str) -> None:
    properties: dict[str, Any] = schema.get("properties", {})
    missing = set(schema.get("required", [])) - set(value)
    if missing:
        raise InvalidModelOutputError(f"{path}: missing {sorted(missing)}")
    for key, item in value.items():
        if key not in properties:
            raise InvalidModelOutputError(f"{path}: unknown argument {key!r}")
        validate_value(item, properties[key], f"{path}.{key}")
