"""A synthetic home in a real Home Assistant: the tools its LLM API offers, states, tool results.

The product's own HA-side path builds the prompt (prompt_plan.build_prompt_plan over the Assist
and skills APIs, home_context for the exposed devices and their states), so the tools, names and
descriptions in the dataset are the ones the agent shows the model in that home.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import MappingProxyType, SimpleNamespace
from typing import Any, cast

from homeassistant.components.conversation import ToolResultContent
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import HomeAssistant
from homeassistant.helpers import llm
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.local_llm_assist import compat
from custom_components.local_llm_assist.config_flow import default_options
from custom_components.local_llm_assist.const import CONF_NEWS_FEEDS, CONF_PROMPT_STYLE, DOMAIN
from custom_components.local_llm_assist.engine.data import Device
from custom_components.local_llm_assist.engine.toolcall import ToolCall
from custom_components.local_llm_assist.home_context import HomeContext, async_get_home_context
from custom_components.local_llm_assist.prompt_plan import (
    PromptPlan,
    build_prompt_plan,
    prompt_style,
    render_instructions,
)
from custom_components.local_llm_assist.spoken import async_sentence
from toolkit.harness import running_home

from .homes import Home

# The news skill is offered only with a feed configured; it is never fetched here.
NEWS_FEED = "http://127.0.0.1:9/news.xml"
ASSISTANT = "conversation"


@dataclass
class HomeSession:
    """One running home: its prompt plan, and its states as the request of a turn sees them."""

    hass: HomeAssistant
    home: Home
    plan: PromptPlan
    api: llm.APIInstance | None

    async def context(self, given: Mapping[str, str]) -> HomeContext:
        """The home as a turn sees it with some entities in the `given` states (entity id → state)."""
        await self.hass.services.async_call("fixture_home", "reset", {"states": dict(given)}, blocking=True)
        await self.hass.async_block_till_done()
        return async_get_home_context(self.hass)

    async def devices(self, given: Mapping[str, str]) -> list[Device]:
        return (await self.context(given)).names.devices

    async def call_tool(self, call: ToolCall) -> Any:
        """A tool's real result in this home (GetLiveContext, a script), as the chat log returns it."""
        if self.api is None:
            raise RuntimeError("no LLM API in this home")
        real = self.plan.tools.to_real_call(call)
        result = await self.api.async_call_tool(llm.ToolInput(tool_name=real.name, tool_args=real.arguments))
        await self.hass.async_block_till_done()
        # The chat log keeps a tool's return as `tool_result` (before 2026.10) or `result` (a ToolResult,
        # after); compat.tool_result_data, the product's one reader of either, takes it from there.
        content = SimpleNamespace(tool_result=result, result=result)
        return compat.tool_result_data(cast(ToolResultContent, content))

    async def sentence(self, key: str, **placeholders: str) -> str:
        return await async_sentence(self.hass, "en", key, **placeholders)


@asynccontextmanager
async def home_session(home: Home, style: str) -> AsyncIterator[HomeSession]:
    async with running_home(home.description()) as hass:
        await _add_scripts(hass, home)
        options = {**default_options(), CONF_NEWS_FEEDS: [NEWS_FEED], CONF_PROMPT_STYLE: style}
        # The skills API registers once the integration is set up; a configured entry (never loaded:
        # no model is needed for a prompt) says which skills are on and which feeds are read.
        await async_setup_component(hass, DOMAIN, {})
        MockConfigEntry(domain=DOMAIN, options=options, data={}).add_to_hass(hass)
        api = await compat.async_get_api_instance(hass, options["llm_hass_api"], "en")
        frozen = MappingProxyType(options)
        instructions = render_instructions(hass, frozen)
        plan = build_prompt_plan(hass, instructions, api, async_get_home_context(hass), prompt_style(frozen))
        yield HomeSession(hass, home, plan, api)


async def _add_scripts(hass: HomeAssistant, home: Home) -> None:
    """The home's scripts, exposed: Home Assistant offers each as a tool of its own."""
    if not home.scripts:
        return
    scripts = {s.id: {"alias": s.name, "sequence": [{"delay": 0}]} for s in home.scripts}
    if not await async_setup_component(hass, "script", {"script": scripts}):
        raise RuntimeError("the home's scripts did not set up")
    await hass.async_block_till_done()
    for script in home.scripts:
        async_expose_entity(hass, ASSISTANT, f"script.{script.id}", True)
