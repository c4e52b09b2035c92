"""Everything the model is given for a turn, built from the live Home Assistant state.

Shared by the turn itself and by the warm-up that evaluates the static prefix right after the
model loads, so the first request after a restart is as fast as any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import intent, llm, template

from . import compat
from .const import CONF_PROMPT, DEFAULT_PROMPT
from .engine.data import ToolSpec
from .engine.grammar import build_grammar
from .engine.model_tools import ModelTools, build_model_tools
from .engine.output_schema import build_output_schema
from .engine.prompt import build_examples, build_system_prompt
from .engine.toolnames import bare_name
from .home_context import HomeContext
from .skills.registry import tool_examples


@dataclass(frozen=True)
class PromptPlan:
    home: HomeContext
    tools: ModelTools
    grammar: str
    output_schema: dict[str, Any]  # the grammar's format as a JSON schema, for OpenAI-compatible servers
    system_prompt: str
    examples: list[tuple[str, str]]


def build_prompt_plan(
    hass: HomeAssistant, instructions: str, api: llm.APIInstance | None, home: HomeContext
) -> PromptPlan:
    """Everything the model is given for this home; `instructions` are the user's, already rendered."""
    tools = build_model_tools(_tool_specs(hass, api), home.names)
    devices = home.names.devices
    return PromptPlan(
        home=home,
        tools=tools,
        grammar=build_grammar(tools.specs),
        output_schema=build_output_schema(tools.specs),
        system_prompt=build_system_prompt(instructions, tools.specs, devices),
        examples=build_examples(tools.specs, devices, tool_examples()),
    )


def render_instructions(hass: HomeAssistant, options: MappingProxyType[str, Any]) -> str:
    prompt = options.get(CONF_PROMPT, DEFAULT_PROMPT)
    return str(template.Template(prompt, hass).async_render(parse_result=False))


def _tool_specs(hass: HomeAssistant, api: llm.APIInstance | None) -> list[ToolSpec]:
    """The API's tools; intents are marked with the device types they act on."""
    if api is None:
        return []
    platforms = {handler.intent_type: handler.platforms for handler in intent.async_get(hass)}
    specs = []
    for tool in api.tools:
        is_intent = isinstance(compat.unwrap_tool(tool), llm.IntentTool)
        domains = platforms.get(bare_name(tool.name)) if is_intent else None
        specs.append(
            ToolSpec(
                name=tool.name,
                description=tool.description or "",
                parameters=_sorted_choices(compat.schema_to_json(tool.parameters, api.custom_serializer)),
                targets_devices=is_intent,
                target_domains=tuple(sorted(domains)) if domains else None,
            )
        )
    return specs


def _sorted_choices(schema: Any) -> Any:
    """The schema with every list of choices sorted.

    Home Assistant keeps some choices in sets (an intent's device classes), whose order changes
    from one start to the next; the prompt, its saved state and the model's answers must not.
    """
    if isinstance(schema, dict):
        sorted_schema = {key: _sorted_choices(value) for key, value in schema.items()}
        if isinstance(schema.get("enum"), list):
            sorted_schema["enum"] = sorted(schema["enum"], key=str)
        return sorted_schema
    if isinstance(schema, list):
        return [_sorted_choices(item) for item in schema]
    return schema
