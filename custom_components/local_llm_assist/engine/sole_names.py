"""A device name that belongs to one device alone says which device: no other target slot follows it.

Given "Bedroom Light", a small model still often appends `"domain": ["light"]` or an area: six or
seven more sampled tokens that can only narrow nothing or contradict the name. The model tools
mark such names on a tool's parameters (SOLE_NAMES); the grammar, and the output schema given to
model servers, then admit one of two objects: a sole name with the tool's other settings
(brightness, position, ...), or the tool's slots as before with the names several devices share.
"""

from __future__ import annotations

from typing import Any

SOLE_NAMES = "x-sole-names"  # JSON schema extension: {"values": [...], "drops": [...]}


def mark_sole_names(parameters: dict[str, Any], values: list[str], drops: list[str]) -> None:
    """Mark `values` of the `name` slot as naming one device: with one of them, `drops` are not given."""
    parameters[SOLE_NAMES] = {"values": values, "drops": drops}


def split_by_sole_names(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The marked object schema as the objects it stands for: a sole name and the settings, then the rest."""
    marked = schema[SOLE_NAMES]
    plain = {key: value for key, value in schema.items() if key != SOLE_NAMES}
    properties: dict[str, Any] = plain["properties"]
    named = {key: value for key, value in properties.items() if key not in marked["drops"]}
    named["name"] = {**properties["name"], "enum": marked["values"]}
    variants = [{**plain, "properties": named, "required": sorted({*plain.get("required", []), "name"})}]
    shared = [value for value in properties["name"]["enum"] if value not in marked["values"]]
    rest = dict(properties)
    if shared:
        rest["name"] = {**properties["name"], "enum": shared}
    else:
        del rest["name"]
    variants.append({**plain, "properties": rest})
    return variants
