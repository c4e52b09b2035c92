"""Skills run as the action `local_llm_assist.run_skill`, in a real Home Assistant (no model involved)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from homeassistant.components import automation
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util

from custom_components.local_llm_assist.const import DOMAIN, EVENT_SKILL_EXECUTED
from custom_components.local_llm_assist.skills.music.tool import remembered_request
from custom_components.local_llm_assist.skills.time_date.days import resolve_day

from .helpers import changed_entities, snapshot
from .skill_support import async_run_skill, async_setup_skills_home


@pytest.fixture
async def skills(hass: HomeAssistant) -> HomeAssistant:
    """The skills home with the integration's actions (no agent configured)."""
    await async_setup_skills_home(hass)
    assert await async_setup_component(hass, DOMAIN, {})
    return hass


@pytest.mark.parametrize(
    ("expression", "answer"),
    [
        ("what's 15 percent of 80", "12"),
        ("12 times 7 divided by 3", "28"),
        ("(3 + 4) * 2", "14"),
        ("2 to the power of 10", "1024"),
    ],
)
async def test_calculator_answers(skills: HomeAssistant, expression: str, answer: str) -> None:
    result = await async_run_skill(skills, "Calculate", expression=expression)
    assert result["success"] is True
    assert result["data"]["result"] == answer
    assert result["speech"] == f"That's {answer}."


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("7 divided by 0", "division by zero"),
        ("9 to the power of 99999999", "too large"),
        ("import os", "couldn't read that"),
        ("1 + " * 70 + "1", "too long"),
    ],
)
async def test_calculator_edge_cases_get_a_clear_answer(skills: HomeAssistant, expression: str, words: str) -> None:
    result = await async_run_skill(skills, "Calculate", expression=expression)
    assert result["success"] is False
    assert words in result["speech"]


async def test_unknown_skill_is_a_translated_validation_error(skills: HomeAssistant) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await async_run_skill(skills, "LaunchRocket")
    assert raised.value.translation_key == "unknown_skill"
    assert "There is no enabled skill called LaunchRocket" in str(raised.value)


async def test_wrong_arguments_are_a_translated_validation_error(skills: HomeAssistant) -> None:
    fired: list[Event] = []
    skills.bus.async_listen(EVENT_SKILL_EXECUTED, fired.append)
    with pytest.raises(ServiceValidationError) as raised:
        await async_run_skill(skills, "Calculate", formula="1+1")
    assert raised.value.translation_key == "invalid_skill_arguments"
    assert "Wrong arguments for the Calculate skill" in str(raised.value)
    with pytest.raises(ServiceValidationError):
        await async_run_skill(skills, "GetWeather", when="next century")
    await skills.async_block_till_done()
    assert fired == []  # nothing ran


async def test_weather_now_and_forecast(skills: HomeAssistant) -> None:
    now = await async_run_skill(skills, "GetWeather", when="now")
    assert now["speech"] == "It's partly cloudy and 14°C outside."
    today = await async_run_skill(skills, "GetWeather", when="today")
    assert "Today:" in today["speech"] and "rainy, 15° to 8°" in today["speech"]
    tomorrow = await async_run_skill(skills, "GetWeather", when="tomorrow")
    weekday = (dt_util.now() + timedelta(days=1)).strftime("%A")
    assert tomorrow["speech"] == f"Tomorrow: {weekday}: sunny, 18° to 9°."
    week = await async_run_skill(skills, "GetWeather", when="week")
    assert len(week["data"]["forecast"]) == 7
    assert "snowy, 2° to -3°" in week["speech"]


async def test_weather_without_a_weather_entity(hass: HomeAssistant) -> None:
    await async_setup_skills_home(hass, weather=False)
    assert await async_setup_component(hass, DOMAIN, {})
    result = await async_run_skill(hass, "GetWeather")
    assert result["success"] is False
    assert "no weather entity is exposed" in result["speech"]


async def test_time_and_date_in_the_home_time_zone(skills: HomeAssistant) -> None:
    now = dt_util.now()
    result = await async_run_skill(skills, "GetTime")
    assert result["data"]["time_zone"] == str(now.tzinfo)
    hours, minutes = map(int, result["data"]["time"].split(":"))
    assert abs((hours * 60 + minutes) - (now.hour * 60 + now.minute)) <= 1
    friday = await async_run_skill(skills, "GetDate", day="next Friday")
    expected = resolve_day("next friday", dt_util.now().date())
    assert expected is not None and expected.weekday() == 4 and expected > now.date()
    assert friday["data"]["date"] == expected.isoformat()
    assert friday["speech"] == f"It's Friday, {expected.strftime('%B')} {expected.day}, {expected.year}."
    unknown = await async_run_skill(skills, "GetDate", day="the twelfth of never")
    assert unknown["success"] is False


async def test_music_plays_on_the_named_speaker_and_is_remembered(skills: HomeAssistant) -> None:
    before = snapshot(skills)
    result = await async_run_skill(skills, "PlayMusic", query="Baby Shark", player="living room speaker")
    assert result["speech"] == "Playing Baby Shark on the Living Room Speaker."
    speaker = skills.states.get("media_player.living_room_speaker")
    assert speaker.state == "playing" and speaker.attributes["media_title"] == "Baby Shark"
    assert changed_entities(before, snapshot(skills)) == {"media_player.living_room_speaker"}
    for title in ("Let It Go", "baby shark"):
        await async_run_skill(skills, "PlayMusic", query=title, player="Living Room Speaker")
    favourite = await async_run_skill(skills, "PlayRememberedMusic", which="favourite", player="living room speaker")
    assert favourite["data"]["title"].casefold() == "baby shark"
    # Another speaker, with no plays of its own, gets the household's favourite (later, its own).
    kitchen = await async_run_skill(skills, "PlayRememberedMusic", which="favourite", player="Kitchen Speaker")
    assert kitchen["data"]["title"].casefold() == "baby shark"
    await async_run_skill(skills, "PlayMusic", query="Let It Go", player="Living Room Speaker")
    again = await async_run_skill(skills, "PlayRememberedMusic", which="last", player="Living Room Speaker")
    assert again["data"]["title"] == "Let It Go"
    await async_run_skill(skills, "PlayMusic", query="Jazz", player="Kitchen Speaker")
    kitchen = await async_run_skill(skills, "PlayRememberedMusic", which="last", player="Kitchen Speaker")
    assert kitchen["data"]["title"] == "Jazz"


@pytest.mark.parametrize(
    ("title", "which"),
    [
        ("my favourite song", "favourite"),
        ("My Favorite", "favourite"),
        ("the usual", "favourite"),
        ("the most requested", "favourite"),  # the tool description's words, copied by the model
        ("most played song", "favourite"),
        ("that again", "last"),
        ("that song again", "last"),
        ("Baby Shark", None),
        ("Favourite Worst Nightmare", None),  # a real album stays a title
    ],
)
def test_a_title_that_asks_for_remembered_music(title: str, which: str | None) -> None:
    assert remembered_request(title) == which


async def test_clear_music_memory(skills: HomeAssistant) -> None:
    await async_run_skill(skills, "PlayMusic", query="Baby Shark", player="Living Room Speaker")
    await skills.services.async_call(DOMAIN, "clear_music_memory", {}, blocking=True)
    result = await async_run_skill(skills, "PlayRememberedMusic", which="favourite", player="Living Room Speaker")
    assert result["success"] is False


@pytest.mark.parametrize(
    ("player", "words"),
    [("Garden Speaker", "I don't know a speaker called Garden Speaker"), ("Living Room Speaker", "unavailable")],
)
async def test_music_on_a_missing_or_unavailable_player_changes_nothing(
    skills: HomeAssistant, player: str, words: str
) -> None:
    skills.states.async_set("media_player.living_room_speaker", "unavailable", {"friendly_name": "Living Room Speaker"})
    before = snapshot(skills)
    result = await async_run_skill(skills, "PlayMusic", query="Baby Shark", player=player)
    assert result["success"] is False
    assert words in result["speech"]
    assert changed_entities(before, snapshot(skills)) == set()


async def test_automation_runs_a_skill_and_uses_its_response(skills: HomeAssistant) -> None:
    answers: list[Event] = []
    skills.bus.async_listen("skill_answer", answers.append)
    config = {
        "trigger": {"platform": "event", "event_type": "ask_calculator"},
        "action": [
            {
                "action": f"{DOMAIN}.run_skill",
                "data": {"skill": "Calculate", "arguments": {"expression": "{{ trigger.event.data.sum }}"}},
                "response_variable": "answer",
            },
            {
                "event": "skill_answer",
                "event_data": {"speech": "{{ answer.speech }}", "value": "{{ answer.data.result }}"},
            },
        ],
    }
    assert await async_setup_component(skills, automation.DOMAIN, {automation.DOMAIN: [config]})
    skills.bus.async_fire("ask_calculator", {"sum": "15 percent of 80"})
    await skills.async_block_till_done()
    assert [event.data for event in answers] == [{"speech": "That's 12.", "value": 12}]


async def test_automation_triggers_on_the_skill_event(skills: HomeAssistant) -> None:
    config = {
        "trigger": {"platform": "event", "event_type": EVENT_SKILL_EXECUTED, "event_data": {"skill": "PlayMusic"}},
        "action": {"action": "light.turn_on", "target": {"entity_id": "light.kitchen_light"}},
    }
    assert await async_setup_component(skills, automation.DOMAIN, {automation.DOMAIN: [config]})
    events: list[Event] = []
    skills.bus.async_listen(EVENT_SKILL_EXECUTED, events.append)
    await async_run_skill(skills, "Calculate", expression="1 + 1")
    await skills.async_block_till_done()
    assert skills.states.get("light.kitchen_light").state == "off"  # another skill: no trigger
    await async_run_skill(skills, "PlayMusic", query="Baby Shark", player="Kitchen Speaker")
    await skills.async_block_till_done()
    assert skills.states.get("light.kitchen_light").state == "on"
    played = events[-1].data
    assert played["skill"] == "PlayMusic"
    assert played["arguments"] == {"query": "Baby Shark", "player": "Kitchen Speaker"}
    assert played["result"]["data"]["entity_id"] == "media_player.kitchen_speaker"
    assert set(played) == {"skill", "arguments", "result", "device_id", "conversation_id"}
