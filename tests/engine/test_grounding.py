from custom_components.local_llm_assist.engine.private_names import find_private_mention

EXPOSED = {"Living Room Lamp", "Kitchen Light", "Front Door"}
PRIVATE = {"Secret Lab Light", "Lamp", "Back Door"}


def test_private_device_named_in_request_is_found() -> None:
    assert find_private_mention("Turn on the secret lab light please", EXPOSED, PRIVATE) == "Secret Lab Light"
    assert find_private_mention("unlock the BACK DOOR!", EXPOSED, PRIVATE) == "Back Door"


def test_longer_exposed_name_wins_over_private_substring() -> None:
    assert find_private_mention("turn on the living room lamp", EXPOSED, PRIVATE) is None


def test_unrelated_request_is_not_flagged() -> None:
    assert find_private_mention("what's the weather like", EXPOSED, PRIVATE) is None
    assert find_private_mention("turn on the lampshade", EXPOSED, PRIVATE) is None


def test_call_target_must_be_mentioned() -> None:
    from custom_components.local_llm_assist.engine.grounding import target_is_mentioned

    assert target_is_mentioned("turn on the reading lamp", "Living Room Lamp reading lamp Living Room")
    assert target_is_mentioned("switch off the kitchen lights", "Kitchen Light Kitchen")
    assert target_is_mentioned("turn on the kichen light", "Kitchen Light")
    assert not target_is_mentioned("turn on the garden sprinkler", "Living Room Speaker Living Room")
    assert not target_is_mentioned("what's the capital of France", "Front Window Living Room")


def test_call_in_another_area_than_requested_is_refused() -> None:
    from custom_components.local_llm_assist.engine.grounding import target_is_mentioned

    assert not target_is_mentioned(
        "turn on the garage lights", "Bedroom Light Bedroom", request_areas={"Garage"}, target_area="Bedroom"
    )
    assert target_is_mentioned(
        "turn on the garage lights", "Garage Light Garage", request_areas={"Garage"}, target_area="Garage"
    )


def test_numbers_are_read_from_digits_and_words() -> None:
    from custom_components.local_llm_assist.engine.text import said_numbers

    assert said_numbers("set it to 30 percent") == {30.0}
    assert said_numbers("twenty two degrees please") == {20.0, 2.0, 22.0}
    assert said_numbers("set it to 21.5") == {21.5}
    assert said_numbers("bedroom lamp to maximum brightness") == {100.0}
    assert said_numbers("the lowest brightness") == {1.0}


def test_unsaid_optional_values_are_dropped() -> None:
    from custom_components.local_llm_assist.engine.grounding import drop_unsaid_arguments

    schema = {
        "properties": {
            "name": {"type": "string", "enum": ["Lamp"]},
            "color": {"type": "string"},
            "temperature": {"type": "integer"},
            "brightness": {"type": "integer"},
        },
        "required": [],
    }
    call = {"name": "Lamp", "color": "red", "temperature": 0, "brightness": 78}
    assert drop_unsaid_arguments(call, schema, "make the lamp red") == {"name": "Lamp", "color": "red"}
    assert drop_unsaid_arguments(call, schema, "turn on the reading lamp") == {"name": "Lamp"}
    assert drop_unsaid_arguments(call, schema, "lamp red at seventy eight") == {
        "name": "Lamp",
        "color": "red",
        "brightness": 78,
    }


def test_names_in_other_scripts_are_matched_whole() -> None:
    assert find_private_mention("Schalte das Küchenlicht ein", {"Wohnzimmerlampe"}, {"Küchenlicht"}) == "Küchenlicht"
    assert find_private_mention("Schalte das Küchenlichtband ein", set(), {"Küchenlicht"}) is None


def test_device_classes_nobody_named_are_dropped() -> None:
    from custom_components.local_llm_assist.engine.grounding import drop_unsaid_arguments

    schema = {"properties": {"name": {"type": "string", "enum": ["TV"]}, "device_class": {"type": "array"}}}
    call = {"name": "TV", "device_class": ["tv", "speaker", "receiver"]}
    assert drop_unsaid_arguments(call, schema, "pause the music") == {"name": "TV"}
    # A named device needs no class: the TV may not be marked as one ("skip the track on the TV").
    assert drop_unsaid_arguments(call, schema, "pause the TV") == {"name": "TV"}
    blinds = {"area": "Bedroom", "device_class": ["blind"]}
    assert drop_unsaid_arguments(blinds, schema, "close the blinds in the bedroom") == blinds
