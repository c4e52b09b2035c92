"""Follow-ups that refer to the last turn ("turn it off", "and the other one too")."""

from __future__ import annotations

import random

from custom_components.local_llm_assist.engine.data import ChatMessage
from custom_components.local_llm_assist.engine.prompt import reply_message

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
