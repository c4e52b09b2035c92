"""Requests for several calls, one after the other: two commands in one sentence, every lock."""

from __future__ import annotations

import random

from custom_components.local_llm_assist.engine.toolcall import ToolCall

from .commands import VERBS, opposite_state
from .homes import Home, names_a_place
from .request import Outcome, Request, said_name


def two_commands(rng: random.Random, home: Home) -> Request | None:
    """Two commands in one sentence: one call after the other, then the confirmation."""
    devices = [
        e for e in home.exposed("light", "switch", "fan", "lock", "cover") if not names_a_place(e.name, home.areas)
    ]
    if len(devices) < 2:
        return None
    first, second = rng.sample(devices, 2)
    parts, calls = [], []
    for entity in (first, second):
        on = rng.random() < 0.5
        x = said_name(rng, entity)
        if entity.domain in VERBS:
            tool, templates = VERBS[entity.domain][0 if on else 1]
            parts.append(templates[0].format(x=x))
        else:
            tool = "HassTurnOn" if on else "HassTurnOff"
            parts.append(f"turn {'on' if on else 'off'} the {x}")
        calls.append(ToolCall(tool, {"name": entity.name}))
    text = rng.choice((" and ", " and then ", ", then ")).join(parts)
    given = {
        e.entity_id: opposite_state(e.domain, c.name in ("HassTurnOn", "Lock", "Open"))
        for e, c in zip((first, second), calls, strict=True)
    }
    return Request("two_commands", "call", text, Outcome(call=calls[0]), given=given, more=calls[1:])


def every_lock(rng: random.Random, home: Home) -> Request | None:
    """Lock every door: each lock, one call after the other (locks are never widened to a place)."""
    locks = home.exposed("lock")
    if len(locks) < 2 or any(names_a_place(lock.name, home.areas) for lock in locks):
        return None
    on = rng.random() < 0.7
    text = rng.choice(
        ("lock every door", "lock all the doors", "make sure all doors are locked")
        if on
        else ("unlock all the doors", "unlock every door")
    )
    calls = [ToolCall("Lock" if on else "Unlock", {"name": lock.name}) for lock in locks]
    given = {lock.entity_id: "unlocked" if on else "locked" for lock in locks}
    return Request("every_lock", "call", text, Outcome(call=calls[0]), given=given, more=calls[1:])
