"""Spoken-style requests through our agent and the real default model reach the right skill.

Each test checks the skill event (which skill ran, with which arguments) and what the user is
told; music and scripts also by the real entity states they change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from homeassistant import loader
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_test_home_assistant

from custom_components.local_llm_assist.const import EVENT_SKILL_EXECUTED
from custom_components.local_llm_assist.skills.time_date.days import resolve_day

from .helpers import ask, async_setup_agent, speech
from .skill_support import async_setup_skills_home, feed_server, rss, serve

# Every request goes to the model; correctness is checked here, speed by the benchmarks, so a
# busy test machine gets a generous time limit.
AGENT_OPTIONS: dict[str, Any] = {"prefer_local_intents": False, "request_timeout": 600}


@dataclass
class SkillRuns:
    """The skill events of a test."""

    events: list[Event]

    def only(self) -> dict[str, Any]:
        assert len(self.events) == 1, [event.data["skill"] for event in self.events]
        return dict(self.events[0].data)


def listen_for_skills(hass: HomeAssistant) -> SkillRuns:
    runs = SkillRuns([])
    hass.bus.async_listen(EVENT_SKILL_EXECUTED, runs.events.append)
    return runs


async def ask_once(hass: HomeAssistant, runs: SkillRuns, text: str, conversation_id: str | None = None) -> str:
    runs.events.clear()
    result = await ask(hass, text, conversation_id)
    await hass.async_block_till_done()
    return speech(result)


@pytest.fixture
async def skills_agent(hass: HomeAssistant) -> AsyncIterator[MockConfigEntry]:
    """The skills home (with a weather entity and two speakers) and our agent on the default model."""
    await async_setup_skills_home(hass)
    entry = await async_setup_agent(hass, **AGENT_OPTIONS)
    yield entry
    if entry.state is ConfigEntryState.LOADED:
        await hass.config_entries.async_unload(entry.entry_id)


async def test_weather_calculator_time_and_date(hass: HomeAssistant, skills_agent: MockConfigEntry) -> None:
    runs = listen_for_skills(hass)

    reply = await ask_once(hass, runs, "what's the weather like?")
    assert runs.only()["skill"] == "GetWeather", reply
    assert reply == "It's partly cloudy and 14°C outside."

    reply = await ask_once(hass, runs, "what's 15 percent of 80?")
    assert runs.only()["skill"] == "Calculate", reply
    assert reply == "That's 12."

    reply = await ask_once(hass, runs, "what is 12 times 7 divided by 3?")
    assert runs.only()["result"]["data"]["result"] == "28", reply
    assert reply == "That's 28."

    reply = await ask_once(hass, runs, "what time is it?")
    assert runs.only()["skill"] == "GetTime", reply
    assert reply.startswith("It's ") and (" AM" in reply or " PM" in reply)

    reply = await ask_once(hass, runs, "what day is next Friday?")
    friday = resolve_day("next friday", dt_util.now().date())
    assert friday is not None
    assert runs.only()["result"]["data"]["date"] == friday.isoformat(), reply
    assert f"Friday, {friday.strftime('%B')} {friday.day}" in reply


async def test_news_from_a_real_feed(hass: HomeAssistant, socket_enabled: None) -> None:
    await async_setup_skills_home(hass)
    runs = listen_for_skills(hass)
    async with feed_server({"/rss": serve(rss("Bridge reopens after repairs", "Library extends hours"))}) as base:
        entry = await async_setup_agent(hass, **AGENT_OPTIONS, news_feeds=[f"{base}/rss"])
        reply = await ask_once(hass, runs, "what's the news?")
        await hass.config_entries.async_unload(entry.entry_id)
    assert runs.only()["skill"] == "GetNews", reply
    assert reply == "Here are the headlines: Bridge reopens after repairs. Library extends hours."


async def test_music_on_a_named_speaker(hass: HomeAssistant, skills_agent: MockConfigEntry) -> None:
    runs = listen_for_skills(hass)
    result = await ask(hass, "play Baby Shark on the living room speaker")
    await hass.async_block_till_done()
    reply = speech(result)
    played = runs.only()
    assert played["conversation_id"] == result.conversation_id
    assert played["skill"] == "PlayMusic", reply
    assert played["arguments"]["query"].casefold() == "baby shark"
    speaker = hass.states.get("media_player.living_room_speaker")
    assert speaker.state == "playing" and speaker.attributes["media_title"].casefold() == "baby shark"
    assert hass.states.get("media_player.kitchen_speaker").state == "off"
    assert "Baby Shark" in reply and "Living Room Speaker" in reply


async def _favourite_requests(hass: HomeAssistant) -> None:
    """The child's week: Baby Shark three times, Let It Go once, on the living room speaker.

    What counts is what played: with Baby Shark already playing, the model may take a repeated
    request for "play that again", which plays (and counts) the same song.
    """
    for title in ["Baby Shark"] * 3 + ["Let It Go"]:
        result = await ask(hass, f"play {title} on the living room speaker")
        speaker = hass.states.get("media_player.living_room_speaker")
        assert speaker.attributes["media_title"].casefold() == title.casefold(), speech(result)


async def _play_favourite(hass: HomeAssistant) -> str:
    runs = listen_for_skills(hass)
    reply = await ask_once(hass, runs, "play my favourite song on the living room speaker")
    assert runs.only()["skill"] in ("PlayRememberedMusic", "PlayMusic"), reply
    return str(hass.states.get("media_player.living_room_speaker").attributes["media_title"])


async def test_favourite_song_across_turns_and_a_restart(hass: HomeAssistant) -> None:
    """Memory is kept by Home Assistant's storage: a second Home Assistant on the same data knows it."""
    config_dir = hass.config.config_dir
    async with _another_home_assistant(config_dir) as first:
        await _favourite_requests(first)
        assert (await _play_favourite(first)).casefold() == "baby shark"
        runs = listen_for_skills(first)
        await ask_once(first, runs, "play Let It Go on the living room speaker")
        reply = await ask_once(first, runs, "play that again")
        assert runs.only()["result"]["data"]["title"] == "Let It Go", reply
    async with _another_home_assistant(config_dir) as second:
        assert second.states.get("media_player.living_room_speaker").state == "idle"  # a fresh start
        assert (await _play_favourite(second)).casefold() == "baby shark"


@asynccontextmanager
async def _another_home_assistant(config_dir: str) -> AsyncIterator[HomeAssistant]:
    """A separate Home Assistant with our agent, on the test's storage: what a restart gives."""
    async with async_test_home_assistant(config_dir=config_dir) as hass:
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        await async_setup_skills_home(hass)
        entry = await async_setup_agent(hass, **AGENT_OPTIONS)
        try:
            yield hass
        finally:
            await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_stop(force=True)


async def test_user_script_exposed_to_assist_is_called_with_its_fields(
    hass: HomeAssistant, skills_agent: MockConfigEntry
) -> None:
    fed: list[Event] = []
    hass.bus.async_listen("fish_fed", fed.append)
    script = {
        "feed_the_fish": {
            "alias": "Feed the fish",
            "description": "Drops food into the aquarium. Use when asked to feed the fish.",
            "fields": {
                "portions": {
                    "description": "How many portions of food, 1 to 3",
                    "required": True,
                    "selector": {"number": {"min": 1, "max": 3}},
                }
            },
            "sequence": [{"event": "fish_fed", "event_data": {"portions": "{{ portions }}"}}],
        }
    }
    assert await async_setup_component(hass, "script", {"script": script})
    async_expose_entity(hass, "conversation", "script.feed_the_fish", True)
    await hass.async_block_till_done()
    result = await ask(hass, "feed the fish two portions")
    await hass.async_block_till_done()
    assert [event.data["portions"] for event in fed] == [2], speech(result)
