"""Compile tool schemas into a GBNF grammar the model cannot leave.

The model answers with exactly one JSON object, either
    {"name": "<tool>", "arguments": {...}}   a call of a tool that exists, or
    {"reply": "<text>"}                      a spoken answer.
Every argument follows its tool's JSON schema; string slots that carry an `enum` (the integration
puts the exposed entity and area names there) can only take one of those values, so the model
cannot invent a tool or a device. The output is fixed to one spacing style so that no tokens are
spent on whitespace choices.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .data import ToolSpec
from .sole_names import SOLE_NAMES, split_by_sole_names

REPLY_KEY = "reply"
MAX_REPLY_CHARS = 400
MAX_FREE_STRING_CHARS = 120
MAX_ARRAY_ITEMS = 8

_PRIMITIVES = {
    "string-char": r'[^"\\\x00-\x1f] | "\\" ["\\/bfnrt]',
    "free-string": f'"\\"" string-char{{0,{MAX_FREE_STRING_CHARS}}} "\\""',
    "integer": '"-"? [0-9]{1,7}',
    "number": '"-"? [0-9]{1,7} ("." [0-9]{1,4})?',
    "boolean": '"true" | "false"',
    "reply-text": f'"\\"" string-char{{1,{MAX_REPLY_CHARS}}} "\\""',
    "any-value": "free-string | number | boolean",
}


def gbnf_literal(text: str) -> str:
    """A GBNF terminal that matches `text` exactly."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def json_literal(value: Any) -> str:
    """A GBNF terminal that matches the JSON encoding of `value`."""
    return gbnf_literal(json.dumps(value, ensure_ascii=False))


@dataclass
class _RuleBook:
    """Collects named rules while a schema is walked."""

    rules: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, body: str) -> str:
        self.rules[name] = body
        return name

    def render(self) -> str:
        return "\n".join(f"{name} ::= {body}" for name, body in self.rules.items())


def _value_rule(book: _RuleBook, schema: dict[str, Any], name: str) -> str:
    """Return the name of a rule matching values of `schema`."""
    if "enum" in schema:
        choices = [value for value in schema["enum"] if value is not None]
        if choices:
            return book.add(name, " | ".join(json_literal(value) for value in choices))
    kind = schema.get("type")
    if kind == "object" and SOLE_NAMES in schema:
        variants = split_by_sole_names(schema)
        return book.add(name, " | ".join(_object_rule(book, v, f"{name}-{i}") for i, v in enumerate(variants)))
    if kind == "object":
        return _object_rule(book, schema, name)
    if kind == "array":
        item = _value_rule(book, schema.get("items", {}), f"{name}-item")
        return book.add(name, f'"[" ({item} (", " {item}){{0,{MAX_ARRAY_ITEMS - 1}}})? "]"')
    if kind in ("string", "integer", "number", "boolean"):
        return "free-string" if kind == "string" else kind
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            options = [_value_rule(book, option, f"{name}-{index}") for index, option in enumerate(schema[combinator])]
            return book.add(name, " | ".join(options))
    return "any-value"


def _object_rule(book: _RuleBook, schema: dict[str, Any], name: str) -> str:
    """Properties in schema order, each optional unless required, comma-separated.

    `first-i` emits the first present property at index >= i (no leading comma);
    `rest-i` emits the following ones, each with a leading comma. A required property
    cannot be skipped, so the grammar only admits objects that carry all of them. A
    `minProperties` of 1 or more rules out the empty object (only "not empty" is enforced).
    """
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    names = list(properties)
    if not names:
        return book.add(name, '"{}"')
    may_be_empty = schema.get("minProperties", 0) < 1
    pairs = [
        f'{json_literal(key)} ": " {_value_rule(book, properties[key], f"{name}-p{position}")}'
        for position, key in enumerate(names)
    ]
    count = len(names)
    for index in reversed(range(count)):
        rest_next = f"{name}-rest{index + 1}" if index + 1 < count else None
        follow = f" {rest_next}" if rest_next else ""
        if names[index] in required:
            book.add(f"{name}-rest{index}", f'", " {pairs[index]}{follow}')
        else:
            book.add(f"{name}-rest{index}", f'(", " {pairs[index]})?{follow}')
        options = [f"{pairs[index]}{follow}"]
        if names[index] not in required and index + 1 < count:
            options.append(f"{name}-first{index + 1}")
        elif names[index] not in required and may_be_empty:
            options.append('""')
        book.add(f"{name}-first{index}", " | ".join(options))
    return book.add(name, f'"{{" {name}-first0 "}}"')


def build_grammar(tools: list[ToolSpec], *, allow_reply: bool = True) -> str:
    """The GBNF for one model turn: a call of one of `tools`, or a spoken reply."""
    book = _RuleBook()
    alternatives = []
    for index, tool in enumerate(tools):
        # Rule names come from the position, not the tool name, so no two tools can collide.
        arguments = _value_rule(book, {"type": "object", **tool.parameters}, f"tool{index}-args")
        call = book.add(
            f"tool{index}",
            f'"{{\\"name\\": " {json_literal(tool.name)} ", \\"arguments\\": " {arguments} "}}"',
        )
        alternatives.append(call)
    if allow_reply or not alternatives:
        alternatives.append(book.add("reply", f'"{{\\"{REPLY_KEY}\\": " reply-text "}}"'))
    head = f"root ::= {' | '.join(alternatives)}"
    primitives = "\n".join(f"{name} ::= {body}" for name, body in _PRIMITIVES.items())
    return f"{head}\n{book.render()}\n{primitives}\n"
