"""The skills as an LLM API: offered next to Assist (merged on 2025.4), switchable per skill."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import llm
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.local_llm_assist import compat
from custom_components.local_llm_assist.config_flow import default_options
from custom_components.local_llm_assist.const import CONF_MODEL_PATH, CONF_SKILLS, DOMAIN, SKILLS_API_ID
from custom_components.local_llm_assist.skills.runner import spoken_reply

from .models import SMOKE_LLM
from .skill_support import async_setup_skills_home

SKILL_TOOLS = {"GetWeather", "Calculate", "GetTime", "GetDate", "GetNews", "PlayMusic", "PlayRememberedMusic"}


async def _tool_names(hass: HomeAssistant, api_ids: list[str]) -> set[str]:
    api = await compat.async_get_api_instance(hass, api_ids, "en")
    assert api is not None
    return {tool.name.rsplit("__", 1)[-1] for tool in api.tools}


async def test_new_agents_use_assist_and_skills_together(hass: HomeAssistant) -> None:
    await async_setup_skills_home(hass)
    assert await async_setup_component(hass, DOMAIN, {})
    assert default_options()["llm_hass_api"] == [llm.LLM_API_ASSIST, SKILLS_API_ID]
    names = await _tool_names(hass, default_options()["llm_hass_api"])
    assert names >= SKILL_TOOLS
    assert {"HassTurnOn", "HassTurnOff"} <= names


async def test_an_api_that_is_gone_is_left_out(hass: HomeAssistant) -> None:
    await async_setup_skills_home(hass)
    assert await async_setup_component(hass, DOMAIN, {})
    merged = await compat.async_merge_apis(hass, [SKILLS_API_ID, "removed_api"], compat.llm_context(hass, "en"))
    assert {tool.name for tool in merged.tools} == SKILL_TOOLS


async def test_a_disabled_skill_is_not_offered(hass: HomeAssistant) -> None:
    await async_setup_skills_home(hass)
    assert await async_setup_component(hass, DOMAIN, {})
    options = {**default_options(), CONF_SKILLS: ["calculator", "weather"]}
    MockConfigEntry(domain=DOMAIN, data={CONF_MODEL_PATH: str(SMOKE_LLM)}, options=options).add_to_hass(hass)
    assert await _tool_names(hass, [SKILLS_API_ID]) == {"Calculate", "GetWeather"}


def test_only_skill_results_are_spoken_as_they_are() -> None:
    ours = {"skill": "Calculate", "success": True, "speech": "That's 12.", "data": {"result": "12"}}
    assert spoken_reply(ours) == "That's 12."
    assert spoken_reply({"data": ours, "error": None}) == "That's 12."  # 2026.10+ wrapping
    intent_result = {"speech": {"plain": {"speech": "Turned on"}}, "response_type": "action_done", "data": {}}
    assert spoken_reply(intent_result) is None
    assert spoken_reply({"success": True, "result": {"speech": "from a script"}}) is None
