"""One step between parsing and executing: the model's call grounded in what was said."""

from custom_components.local_llm_assist.engine.data import ChatMessage, Device, ToolSpec
from custom_components.local_llm_assist.engine.grounding import GroundedCall, Refusal, ground
from custom_components.local_llm_assist.engine.home_names import HomeNames
from custom_components.local_llm_assist.engine.model_tools import build_model_tools
from custom_components.local_llm_assist.engine.toolcall import ToolCall
from custom_components.local_llm_assist.engine.utterance import Utterance

TARGET = {"name": {"type": "string"}, "area": {"type": "string"}, "domain": {"type": "array"}}
LIGHT_SET = {"type": "object", "properties": {**TARGET, "brightness": {"type": "integer"}}}
WHEN = {"when": {"type": "string", "enum": ["now", "today", "tomorrow", "week"]}}
TOOLS = [
    ToolSpec("GetWeather", "", {"type": "object", "properties": WHEN}),
    ToolSpec("HassTurnOn", "", {"type": "object", "properties": TARGET}, True),
    ToolSpec("HassTurnOff", "", {"type": "object", "properties": TARGET}, True),
    ToolSpec("HassLightSet", "", LIGHT_SET, True, ("light",)),
]
HOME = HomeNames(
    [
        Device("Ceiling", "light", "Living Room"),
        Device("Desk Lamp", "light", "Office"),
        Device("Speaker", "media_player"),
    ],
    ["Living Room", "Office"],
    [],
)
MODEL_TOOLS = build_model_tools(TOOLS, HOME)


def test_a_device_nobody_spoke_of_is_refused() -> None:
    grounded = ground(
        ToolCall("HassTurnOn", {"name": "Speaker"}), Utterance("turn on the garden sprinkler"), MODEL_TOOLS, HOME
    )
    assert grounded == Refusal("device_not_found")


def test_a_value_nobody_said_is_dropped_and_what_is_left_turns_the_light_on() -> None:
    call = ToolCall("HassLightSet", {"name": "Ceiling", "brightness": 80})
    grounded = ground(call, Utterance("ceiling light please"), MODEL_TOOLS, HOME)
    assert grounded == GroundedCall(
        meant=call, to_make=ToolCall("HassTurnOn", {"name": "Ceiling", "domain": ["light"]})
    )


def test_here_is_the_satellites_area_as_if_it_had_been_said() -> None:
    call = ToolCall("HassTurnOff", {"area": "Office", "domain": ["light"]})
    assert isinstance(ground(call, Utterance("lights off in here", "Office"), MODEL_TOOLS, HOME), GroundedCall)
    assert ground(call, Utterance("lights off in here", "Living Room"), MODEL_TOOLS, HOME) == Refusal(
        "device_not_found"
    )


def test_a_follow_up_may_point_back_at_an_earlier_turn() -> None:
    earlier = (ChatMessage("user", "turn on the desk lamp"), ChatMessage("assistant", '{"reply": "Done."}'))
    call = ToolCall("HassTurnOff", {"name": "Desk Lamp"})
    assert ground(call, Utterance("now turn it off", history=earlier), MODEL_TOOLS, HOME) == GroundedCall(call, call)
    assert ground(call, Utterance("now turn it off"), MODEL_TOOLS, HOME) == Refusal("device_not_found")


def test_a_choice_the_request_names_outright_wins_over_the_models_pick() -> None:
    call = ToolCall("GetWeather", {"when": "now"})
    weekly = ToolCall("GetWeather", {"when": "week"})
    assert ground(call, Utterance("what will the weather be like this week?"), MODEL_TOOLS, HOME) == GroundedCall(
        weekly, weekly
    )


def test_a_choice_is_kept_when_the_request_names_none_or_several() -> None:
    call = ToolCall("GetWeather", {"when": "now"})
    for request in ("how is it outside?", "weather now and tomorrow", "is it a weekday?"):
        assert ground(call, Utterance(request), MODEL_TOOLS, HOME) == GroundedCall(call, call), request


def test_nothing_is_added_that_the_model_left_out() -> None:
    call = ToolCall("GetWeather", {})
    assert ground(call, Utterance("weather this week"), MODEL_TOOLS, HOME) == GroundedCall(call, call)
