"""Our skills as a Home Assistant LLM API, selectable next to Assist in the agent's settings."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import llm

from .. import compat
from ..const import DOMAIN, SKILLS_API_ID
from ..spoken import async_sentence
from .base import Skill, SkillOrigin
from .registry import SKILLS
from .runner import InvalidSkillArguments, async_run_skill
from .settings import enabled_features

API_NAME = "Local LLM Assist skills"
API_PROMPT = "Use the skill tools for weather, time, dates, arithmetic, news and music."


class SkillTool(llm.Tool):
    """One skill as an LLM tool."""

    integration = DOMAIN  # 2026.10+ shows where a tool comes from

    def __init__(self, skill: Skill) -> None:
        self.skill = skill
        self.name = skill.name
        self.description = skill.description
        self.parameters = skill.parameters

    async def async_call(
        self, hass: HomeAssistant, tool_input: llm.ToolInput, llm_context: llm.LLMContext
    ) -> Any:  # a ToolResult where Home Assistant has one, else the dict (compat.tool_result)
        origin = SkillOrigin(
            language=llm_context.language or hass.config.language,
            context=llm_context.context,
            device_id=llm_context.device_id,
            conversation_id=compat.current_conversation_id(),
        )
        try:
            result: dict[str, Any] = await async_run_skill(hass, self.skill, tool_input.tool_args, origin)
        except InvalidSkillArguments as err:
            speech = await async_sentence(hass, origin.language, "skill_invalid_arguments", skill=self.name)
            return compat.tool_result(
                {"skill": self.name, "success": False, "speech": speech, "data": {"error": str(err)}}
            )
        return compat.tool_result(result)


class SkillsAPI(llm.API):
    """The enabled skills (options of the loaded agents) as tools."""

    async def async_get_api_instance(self, llm_context: llm.LLMContext) -> llm.APIInstance:
        enabled = enabled_features(self.hass)
        tools: list[llm.Tool] = [
            SkillTool(skill) for skill in SKILLS if skill.feature in enabled and skill.is_available(self.hass)
        ]
        return llm.APIInstance(api=self, api_prompt=API_PROMPT, llm_context=llm_context, tools=tools)


@callback
def async_register_skills_api(hass: HomeAssistant) -> None:
    """Register the API once per Home Assistant run."""
    if not any(api.id == SKILLS_API_ID for api in llm.async_get_apis(hass)):
        llm.async_register_api(hass, SkillsAPI(hass=hass, id=SKILLS_API_ID, name=API_NAME))
