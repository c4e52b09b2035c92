"""The skills as an LLM API: offered next to Assist (merged on 2025.4), switchable per skill."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import llm
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.local_llm_assist import compat
from custom_components.local_llm_assist.config_flow import default_options
from custom_components.local_llm_assist.const import (
    CONF_MODEL_PATH,
    CONF_NEWS_FEEDS,
    CONF_SKILLS,
    DOMAIN,
    SKILLS_API_ID,
)
from custom_components.local_llm_assist.skills.runner import spoken_reply
from toolkit.models import SMOKE_LLM

from .skill_support import async_setup_skills_home

# News needs feeds; without any, the tool is not offered.
SKILL_TOOLS = {"GetWeather", "Calculate", "GetTime", "GetDate", "PlayMusic", "PlayRememberedMusic"}


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
    intent_result = {"speech": {"plain": {"speech": "Turned on"}}, "response_type": "action_done", "data": {}}
    assert spoken_reply(intent_result) is None
    assert spoken_reply({"success": True, "result": {"speech": "from a script"}}) is None


async def test_options_choose_the_skills_and_news_feeds(hass: HomeAssistant) -> None:
    await async_setup_skills_home(hass)
    entry = MockConfigEntry(domain=DOMAIN, data={CONF_MODEL_PATH: str(SMOKE_LLM)}, options=default_options())
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    menu = await hass.config_entries.options.async_init(entry.entry_id)
    form = await hass.config_entries.options.async_configure(menu["flow_id"], {"next_step_id": "agent"})
    assert {str(key) for key in form["data_schema"].schema} >= {CONF_SKILLS, CONF_NEWS_FEEDS}
    feeds = ["https://news.example/rss.xml"]
    result = await hass.config_entries.options.async_configure(
        form["flow_id"], {"llm_hass_api": [SKILLS_API_ID], CONF_SKILLS: ["music"], CONF_NEWS_FEEDS: feeds}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options[CONF_NEWS_FEEDS] == feeds
    assert await _tool_names(hass, [SKILLS_API_ID]) == {"PlayMusic", "PlayRememberedMusic"}
    await hass.config_entries.async_unload(entry.entry_id)


async def test_skills_the_home_cannot_use_are_not_offered(hass: HomeAssistant) -> None:
    await async_setup_skills_home(hass, weather=False)
    assert await async_setup_component(hass, DOMAIN, {})
    names = await _tool_names(hass, [SKILLS_API_ID])
    assert names == SKILL_TOOLS - {"GetWeather"}
    options = {**default_options(), CONF_NEWS_FEEDS: ["https://news.example/rss.xml"]}
    MockConfigEntry(domain=DOMAIN, data={CONF_MODEL_PATH: str(SMOKE_LLM)}, options=options).add_to_hass(hass)
    assert "GetNews" in await _tool_names(hass, [SKILLS_API_ID])
