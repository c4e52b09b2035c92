"""Follow-ups that refer to the last turn ("turn it off", "and the other one too")."""

from __future__ import annotations

import random

from custom_components.local_llm_assist.engine.data import ChatMessage
from custom_components.local_llm_assist.engine.prompt import reply_message
from custom_components.local_llm_assist.engine.toolcall import ToolCall

from .homes import Home
from .request import Request, call, pick, said_name


def after_question(rng: random.Random, home: Home) -> Request | None:
    """ "is the kitchen light on?" — "No, …" — "turn it on"."""
    entity = pick(rng, home.exposed("light", "switch", "fan"))
    if entity is None:
        return None
    on = rng.random() < 0.5
    state = "off" if on else "on"
    history = [
        ChatMessage("user", f"is the {said_name(rng, entity)} on?"),
        reply_message(f"{'No' if on else 'Yes'}, the {entity.name} is {state}."),
    ]
    text = rng.choice(
        ("turn it on", "ok switch it on", "then turn it on please") if on else ("turn it off", "switch it off then")
    )
    outcome = call("HassTurnOn" if on else "HassTurnOff", name=entity.name)
    return Request("follow_up", "call", text, outcome, given={entity.entity_id: state}, history=history)


AFTER_COMMAND = (  # (the earlier command turned it on?, follow-ups that turn it back, with {x} for another device)
    ("turn it off again", "actually switch it off", "never mind turn it back off"),
    ("turn it back on", "switch it on again", "actually turn it on again"),
)
ALSO = ("and the {x} too", "the {x} as well", "do the same for the {x}")


def after_command(rng: random.Random, home: Home) -> Request | None:
    """ "turn on the desk lamp" — "Done: Desk Lamp." — "turn it off again" / "and the floor lamp too"."""
    devices = home.exposed("light", "switch", "fan")
    entity = pick(rng, devices)
    if entity is None:
        return None
    on = rng.random() < 0.5
    verb = "HassTurnOn" if on else "HassTurnOff"
    earlier = (f"turn {'on' if on else 'off'} the {said_name(rng, entity)}", ToolCall(verb, {"name": entity.name}))
    others = [d for d in devices if d is not entity and d.domain == entity.domain]
    if others and rng.random() < 0.5:
        other = rng.choice(others)
        text = rng.choice(ALSO).format(x=said_name(rng, other))
        return Request("follow_up", "call", text, call(verb, name=other.name), earlier=earlier)
    text = rng.choice(AFTER_COMMAND[0 if on else 1])
    back = "HassTurnOff" if on else "HassTurnOn"
    return Request("follow_up", "call", text, call(back, name=entity.name), earlier=earlier)
