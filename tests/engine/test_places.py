"""Calls checked against the place and kind of device the request names (engine/places.py)."""

import pytest

from custom_components.local_llm_assist.engine.data import ChatMessage, Device
from custom_components.local_llm_assist.engine.home_names import HomeNames
from custom_components.local_llm_assist.engine.model_tools import TARGET_SLOTS
from custom_components.local_llm_assist.engine.places import ToolReach, WrongDevice, rewrite_or_refuse, said_place
from custom_components.local_llm_assist.engine.toolcall import ToolCall
from custom_components.local_llm_assist.engine.utterance import Utterance

HOME = HomeNames(
    [
        Device("Kitchen Switch", "switch", "Kitchen"),
        Device("Cabinets", "light", "Kitchen"),
        Device("Living Room Lamp", "light", "Living Room"),
        Device("Play Corner", "light", "Living Room"),
        Device("Bedroom Curtain", "cover", "Bedroom"),
    ],
    ["Bedroom", "Kitchen", "Living Room"],
    ["First Floor"],
)
TURN_ON = ToolReach(TARGET_SLOTS, {"light", "switch"})
SET_POSITION = ToolReach(TARGET_SLOTS, {"cover"})


def check(
    request: str, arguments: dict, reach: ToolReach = TURN_ON, here: str | None = None, earlier: str = ""
) -> dict:
    history = (ChatMessage("user", earlier),) if earlier else ()
    utterance = Utterance(request, here, history)
    return rewrite_or_refuse(ToolCall("HassTurnOff", arguments), utterance, HOME, reach).arguments


def test_a_device_of_the_wrong_kind_in_the_named_area_becomes_the_kind_said() -> None:
    said = check("turn off my kitchen lights", {"name": "Kitchen Switch"})
    assert said == {"area": "Kitchen", "domain": ["light"]}


def test_one_device_picked_for_a_whole_area_is_widened_to_the_area() -> None:
    said = check("turn on the living room lights", {"name": "Living Room Lamp"})
    assert said == {"area": "Living Room", "domain": ["light"]}


def test_settings_survive_the_widening() -> None:
    said = check("set the kitchen lights to 40%", {"name": "Cabinets", "brightness": 40})
    assert said == {"area": "Kitchen", "domain": ["light"], "brightness": 40}


def test_a_device_said_by_name_or_by_an_own_word_is_kept() -> None:
    for request in ("turn off the living room lamp", "turn off the lamp in the living room"):
        assert check(request, {"name": "Living Room Lamp"}) == {"name": "Living Room Lamp"}


def test_a_device_only_its_area_points_at_is_refused() -> None:
    with pytest.raises(WrongDevice):
        check("close the windows in the kitchen", {"name": "Kitchen Switch"})
    with pytest.raises(WrongDevice):
        check("turn off the kitchen", {"name": "Cabinets"})


def test_a_device_named_earlier_in_the_conversation_is_kept() -> None:
    assert check("now turn it off", {"name": "Cabinets"}, earlier="turn on the cabinets") == {"name": "Cabinets"}


def test_a_plural_of_an_own_word_names_the_device_but_not_of_a_kind_word() -> None:
    home = HomeNames([Device("Kitchen Door", "lock", "Kitchen"), *HOME.devices], HOME.areas, HOME.floors)
    call = ToolCall("Unlock", {"name": "Kitchen Door"})
    reach = ToolReach(TARGET_SLOTS, {"lock"})
    assert rewrite_or_refuse(call, Utterance("unlock the kitchen doors"), home, reach) == call


def test_another_kind_the_tool_cannot_reach_is_refused() -> None:
    with pytest.raises(WrongDevice):
        check("set the temp in the bedroom to 50", {"name": "Bedroom Curtain", "position": 50}, SET_POSITION)
    with pytest.raises(WrongDevice):
        check("turn off the living room fan", {"name": "Living Room Lamp"})


def test_another_kind_without_a_place_is_refused() -> None:
    with pytest.raises(WrongDevice):
        check("turn on the lights", {"name": "Kitchen Switch"})


def test_no_place_said_widens_to_the_satellite_room_only_if_it_has_that_kind() -> None:
    assert check("lights off", {"name": "Cabinets"}, here="Living Room") == {"area": "Living Room", "domain": ["light"]}
    assert check("lights off", {"name": "Cabinets"}, here="Bedroom") == {"name": "Cabinets"}


def test_here_is_the_satellite_area_and_all_is_the_whole_home() -> None:
    assert check("turn on the lights in here", {"name": "Cabinets"}, here="Living Room") == {
        "area": "Living Room",
        "domain": ["light"],
    }
    assert check("turn off all the lights", {"name": "Cabinets"}) == {"domain": ["light"]}
    assert check("turn off the lights on the first floor", {"name": "Cabinets"}) == {
        "floor": "First Floor",
        "domain": ["light"],
    }


def test_here_without_a_satellite_area_names_no_place() -> None:
    assert said_place(Utterance("turn on the lights here", None), HOME) is None
    assert said_place(Utterance("lights on", None), HOME) is None


def test_no_place_said_to_a_satellite_means_its_area() -> None:
    assert said_place(Utterance("lights on", "Kitchen"), HOME) == {"area": "Kitchen"}
    assert said_place(Utterance("turn on the lights in the whole house", "Kitchen"), HOME) == {}
    assert said_place(Utterance("lights in the kitchen and the bedroom", None), HOME) is None


def test_a_tool_without_area_slots_is_not_widened_but_refused_for_another_kind() -> None:
    name_only = ToolReach({"name"}, {"light", "switch"})
    assert check("turn on the kitchen lights", {"name": "Cabinets"}, name_only) == {"name": "Cabinets"}
    with pytest.raises(WrongDevice):
        check("turn off my kitchen lights", {"name": "Kitchen Switch"}, name_only)


def test_locks_and_covers_are_never_widened() -> None:
    # The pick stands, unwidened; the target guard then refuses a lock nobody named.
    locks = ToolReach(TARGET_SLOTS, {"lock"})
    home = HomeNames([Device("Front Door", "lock", "Hallway"), *HOME.devices], HOME.areas, HOME.floors)
    unlock = ToolCall("Unlock", {"name": "Front Door"})
    assert rewrite_or_refuse(unlock, Utterance("unlock every lock"), home, locks) == unlock
    close = ToolCall("Close", {"name": "Bedroom Curtain"})
    request = "close all the curtains"
    assert rewrite_or_refuse(close, Utterance(request), HOME, SET_POSITION) == close


def test_a_tool_for_one_kind_says_the_kind() -> None:
    light_set = ToolReach(TARGET_SLOTS, {"light"})
    said = check("set the living room brightness to 50%", {"name": "Play Corner", "brightness": 50}, light_set)
    assert said == {"area": "Living Room", "domain": ["light"], "brightness": 50}
    with pytest.raises(WrongDevice):  # a kind said outright wins over the tool's
        check("set the temp in the bedroom to 50", {"name": "Bedroom Curtain", "position": 50}, SET_POSITION)


def test_our_room_is_here_not_the_whole_home() -> None:
    assert said_place(Utterance("turn off all the lights in our room", "Bedroom"), HOME) == {"area": "Bedroom"}


def test_kinds_the_model_added_to_a_call_without_a_name_are_dropped() -> None:
    said = check(
        "turn all living room fans off",
        {"area": "Living Room", "domain": ["fan", "light", "switch"]},
        ToolReach(TARGET_SLOTS, {"fan", "light", "switch"}),
    )
    assert said == {"area": "Living Room", "domain": ["fan"]}
    kept = {"area": "Kitchen", "domain": ["light"]}
    assert check("switch off the lights in the kitchen", kept) == kept  # "switch" here is the verb


def test_brightness_and_color_are_about_lights() -> None:
    with pytest.raises(WrongDevice):
        check("set the bedroom color to red", {"name": "Bedroom Curtain"}, SET_POSITION)
