"""Spoken-style requests through Home Assistant's conversation API, answered by the real model."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import intent
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.local_llm_assist.home_context import async_get_home_context
from toolkit.evaluation.runner import satellite_device

from .helpers import ask, async_setup_agent, changed_entities, snapshot, speech

Check = Callable[[State], bool]


def is_state(value: str) -> Check:
    return lambda state: state.state == value


def has_attribute(name: str, expected: Any) -> Check:
    return lambda state: state.attributes.get(name) == expected


def brightness_near(percent: int) -> Check:
    return lambda state: state.state == "on" and abs(state.attributes["brightness"] - percent * 255 / 100) <= 3


# (request, entity that must change, check on its new state, words the reply must contain)
ACTIONS: list[tuple[str, str, Check, str]] = [
    ("turn on the kitchen light", "light.kitchen_light", is_state("on"), "kitchen light"),
    ("switch off the living room ceiling", "light.living_room_ceiling", is_state("off"), "ceiling"),
    ("turn on the reading lamp", "light.living_room_lamp", is_state("on"), "lamp"),
    ("set the bedroom light to 30 percent", "light.bedroom_light", brightness_near(30), "bedroom light"),
    ("set the living room lamp to red", "light.living_room_lamp", has_attribute("rgb_color", (255, 0, 0)), "lamp"),
    ("set the thermostat to 22 degrees", "climate.thermostat", has_attribute("temperature", 22), "thermostat"),
    ("unlock the front door", "lock.front_door", is_state("unlocked"), "front door"),
    ("open the garage door", "cover.garage_door", is_state("open"), "garage door"),
    ("close the bedroom blinds", "cover.bedroom_blinds", is_state("closed"), "blinds"),
    ("turn on the coffee maker", "switch.coffee_maker", is_state("on"), "coffee maker"),
    ("turn on the bedroom fan", "fan.bedroom_fan", is_state("on"), "fan"),
]


@pytest.mark.parametrize(("request_text", "entity_id", "check", "reply_words"), ACTIONS)
async def test_request_changes_exactly_the_right_entity(
    home: HomeAssistant, agent: MockConfigEntry, request_text: str, entity_id: str, check: Check, reply_words: str
) -> None:
    before = snapshot(home)
    result = await ask(home, request_text)
    generated = agent.runtime_data.last_generation
    model_output = generated.text if generated else None
    assert check(home.states.get(entity_id)), (request_text, speech(result), model_output)
    assert changed_entities(before, snapshot(home)) == {entity_id}
    assert reply_words in speech(result).lower()


async def test_a_transcript_ending_in_a_comma_is_the_whole_command(home: HomeAssistant, agent: MockConfigEntry) -> None:
    # Speech-to-text heard "close the bedroom blinds," in the voice test; the model read it as unfinished.
    before = snapshot(home)
    result = await ask(home, "close the bedroom blinds,")
    assert home.states.get("cover.bedroom_blinds").state == "closed", speech(result)
    assert changed_entities(before, snapshot(home)) == {"cover.bedroom_blinds"}


async def test_lock_is_locked_not_turned_off(home: HomeAssistant, agent: MockConfigEntry) -> None:
    await home.services.async_call("lock", "unlock", {"entity_id": "lock.front_door"}, blocking=True)
    before = snapshot(home)
    result = await ask(home, "lock the front door")
    assert home.states.get("lock.front_door").state == "locked", speech(result)
    assert changed_entities(before, snapshot(home)) == {"lock.front_door"}


async def test_area_request_turns_off_every_light_there(home: HomeAssistant, agent: MockConfigEntry) -> None:
    # The model alone (no local matcher): it tends to name one light of the area, which the
    # place check widens to every light there (engine/places.py).
    await home.services.async_call("light", "turn_on", {"entity_id": "light.living_room_lamp"}, blocking=True)
    before = snapshot(home)
    result = await ask(home, "turn off all the lights in the living room")
    assert home.states.get("light.living_room_lamp").state == "off", speech(result)
    assert home.states.get("light.living_room_ceiling").state == "off", speech(result)
    assert changed_entities(before, snapshot(home)) == {"light.living_room_lamp", "light.living_room_ceiling"}


async def test_here_is_the_area_of_the_satellite_spoken_to(home: HomeAssistant, agent: MockConfigEntry) -> None:
    satellite = satellite_device(home, "bedroom")
    before = snapshot(home)
    result = await ask(home, "turn off the lights in here", device_id=satellite)
    assert changed_entities(before, snapshot(home)) == {"light.bedroom_light"}, speech(result)
    assert speech(result) == "Done: Bedroom Light."  # the devices acted on, not the room


async def test_a_failed_action_is_not_reported_as_done(home: HomeAssistant, agent: MockConfigEntry) -> None:
    before = snapshot(home)
    result = await ask(home, "set the thermostat to 50 degrees")  # the thermostat accepts 7 to 35
    assert changed_entities(before, snapshot(home)) == set()
    assert "did not work" in speech(result), speech(result)


@pytest.mark.parametrize(
    ("question", "expected_words"),
    [
        ("is the bedroom light on?", ["on"]),
        ("is the garage door open?", ["closed"]),
        ("what is the outdoor temperature?", ["12.5"]),
    ],
)
async def test_state_question_is_answered_from_the_real_state(
    home: HomeAssistant, agent: MockConfigEntry, question: str, expected_words: list[str]
) -> None:
    before = snapshot(home)
    result = await ask(home, question)
    reply = speech(result).lower()
    assert all(word in reply for word in expected_words), reply
    assert changed_entities(before, snapshot(home)) == set()


async def test_general_question_is_answered_in_words(home: HomeAssistant, agent: MockConfigEntry) -> None:
    before = snapshot(home)
    result = await ask(home, "what is the capital of France?")
    assert "paris" in speech(result).lower()
    assert changed_entities(before, snapshot(home)) == set()


async def test_follow_up_uses_the_conversation_history(home: HomeAssistant, agent: MockConfigEntry) -> None:
    first = await ask(home, "turn on the office light")
    assert home.states.get("light.office_light").state == "on", speech(first)
    await ask(home, "now turn it off again", conversation_id=first.conversation_id)
    assert home.states.get("light.office_light").state == "off"


async def test_turns_of_one_conversation_arriving_together_are_both_answered(
    home: HomeAssistant, agent: MockConfigEntry
) -> None:
    """They take turns (Home Assistant 2026.11+ would refuse the second while the first runs)."""
    first = await ask(home, "what is the capital of France?")
    both = await asyncio.gather(
        ask(home, "turn on the office light", conversation_id=first.conversation_id),
        ask(home, "turn on the kitchen light", conversation_id=first.conversation_id),
    )
    assert [result.response.response_type for result in both] == [intent.IntentResponseType.ACTION_DONE] * 2
    assert home.states.get("light.office_light").state == "on"
    assert home.states.get("light.kitchen_light").state == "on"


async def test_canonical_command_is_handled_locally_without_the_model(home: HomeAssistant) -> None:
    entry = await async_setup_agent(home, prefer_local_intents=True)
    result = await ask(home, "turn off the lights in the living room")
    assert home.states.get("light.living_room_ceiling").state == "off", speech(result)
    assert entry.runtime_data.last_generation is None  # the model was never asked
    await ask(home, "what is the capital of France?")
    assert entry.runtime_data.last_generation is not None  # not a command it knows: the model answers
    await home.config_entries.async_unload(entry.entry_id)


async def test_warm_up_caches_the_static_prompt(home: HomeAssistant, agent: MockConfigEntry) -> None:
    await ask(home, "turn on the kitchen light")
    first = agent.runtime_data.last_generation
    assert first is not None
    # Only the request and its states are new: the instructions, tools, devices and examples
    # were evaluated by the warm-up.
    assert first.cached_prompt_tokens > 0.8 * first.prompt_tokens


async def test_binary_sensor_states_reach_the_model_in_words(home: HomeAssistant) -> None:
    # A window sensor's "off" means closed: the model is shown Home Assistant's own word for it.
    devices = {device.name: device for device in async_get_home_context(home).names.devices}
    assert devices["Front Window"].state == "Closed"
    assert devices["Outdoor Temperature"].state == "12.5 °C"


async def test_two_commands_in_one_sentence_are_both_carried_out(home: HomeAssistant, agent: MockConfigEntry) -> None:
    await home.services.async_call("lock", "unlock", {"entity_id": "lock.front_door"}, blocking=True)
    before = snapshot(home)
    result = await ask(home, "turn on the kitchen light and lock the front door")
    assert home.states.get("light.kitchen_light").state == "on", speech(result)
    assert home.states.get("lock.front_door").state == "locked", speech(result)
    assert changed_entities(before, snapshot(home)) == {"light.kitchen_light", "lock.front_door"}
    assert "kitchen light" in speech(result).lower() and "front door" in speech(result).lower()
    assert result.response.response_type == intent.IntentResponseType.ACTION_DONE


async def test_one_command_said_of_two_devices_changes_both(home: HomeAssistant, agent: MockConfigEntry) -> None:
    before = snapshot(home)
    result = await ask(home, "turn on the kitchen light and the bedroom fan")
    assert changed_entities(before, snapshot(home)) == {"light.kitchen_light", "fan.bedroom_fan"}, speech(result)
    assert home.states.get("light.kitchen_light").state == "on" and home.states.get("fan.bedroom_fan").state == "on"
    assert "kitchen light" in speech(result).lower() and "fan" in speech(result).lower()


async def test_each_command_of_a_sentence_is_checked_on_its_own(home: HomeAssistant, agent: MockConfigEntry) -> None:
    """The back door is not exposed: that command is refused, the other one is carried out."""
    before = snapshot(home)
    result = await ask(home, "turn on the office light, then unlock the back door")
    assert changed_entities(before, snapshot(home)) == {"light.office_light"}, speech(result)
    assert "office light" in speech(result).lower() and "back door" in speech(result).lower()


async def test_commands_in_a_row_known_to_the_matcher_need_no_model(home: HomeAssistant) -> None:
    entry = await async_setup_agent(home, prefer_local_intents=True)
    result = await ask(home, "turn on the kitchen light and turn off the living room ceiling")
    assert home.states.get("light.kitchen_light").state == "on", speech(result)
    assert home.states.get("light.living_room_ceiling").state == "off", speech(result)
    assert entry.runtime_data.last_generation is None
    await home.config_entries.async_unload(entry.entry_id)
