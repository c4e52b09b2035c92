from custom_components.local_llm_assist.engine.guard import find_private_mention

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
