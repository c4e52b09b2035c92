"""Tool specs shaped like Home Assistant's, shared by the grammar tests."""

from __future__ import annotations

from custom_components.local_llm_assist.engine.data import ToolSpec

TARGET = {
    "name": {"type": "string"},
    "area": {"type": "string"},
    "domain": {"type": "array", "items": {"type": "string"}},
}
LIGHT_SET = ToolSpec(
    "HassLightSet",
    "Sets a light",
    {"type": "object", "properties": {**TARGET, "brightness": {"type": "integer"}}},
    True,
    ("light",),
)
TURN_ON = ToolSpec("HassTurnOn", "Turns on", {"type": "object", "properties": TARGET}, True)
