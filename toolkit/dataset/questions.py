"""Questions about how things are now, answered from the states shown with the request."""

from __future__ import annotations

import random

from .homes import Entity, Home
from .request import Request, pick, reply, said_name

YES_NO = {  # domain → (the state asked about, question templates)
    "light": ("on", ("is the {x} on?", "is the {x} on", "are the {x} on?", "is the {x} still on")),
    "switch": ("on", ("is the {x} on?", "is the {x} running")),
    "fan": ("on", ("is the {x} on?", "is the {x} running?")),
    "lock": ("locked", ("is the {x} locked?", "did i lock the {x}", "is the {x} locked")),
    "cover": ("open", ("is the {x} open?", "is the {x} open")),
}


def yes_no(rng: random.Random, home: Home) -> Request | None:
    entity = pick(rng, home.exposed(*YES_NO))
    if entity is None:
        return None
    asked, templates = YES_NO[entity.domain]
    states = ("on", "off") if asked == "on" else (("locked", "unlocked") if asked == "locked" else ("open", "closed"))
    state = rng.choice(states)
    text = rng.choice(templates).format(x=said_name(rng, entity))
    answer = f"Yes, the {entity.name} is {state}." if state == asked else f"No, the {entity.name} is {state}."
    return Request("question_yes_no", "answer", text, reply(answer), given={entity.entity_id: state})


def any_on(rng: random.Random, home: Home) -> Request | None:
    lights = home.exposed("light")
    if not lights:
        return None
    text = rng.choice(("are any lights on?", "which lights are on?", "are there any lights on"))
    on = [e.name for e in lights if e.state == "on"]
    if not on:
        answer = "No, all the lights are off." if text.startswith("are") else "None, all the lights are off."
    else:
        listed = _listed(on)
        answer = (
            f"Yes, the {listed} {'is' if len(on) == 1 else 'are'} on."
            if text.startswith("are")
            else (f"The {listed} {'is' if len(on) == 1 else 'are'} on.")
        )
    return Request("question_any", "answer", text, reply(answer))


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def numeric(rng: random.Random, home: Home) -> Request | None:
    entity = pick(rng, home.exposed("sensor", "climate", "media_player"))
    if entity is None:
        return None
    x = said_name(rng, entity)
    if entity.domain == "sensor":
        unit = str(entity.attributes["unit_of_measurement"])
        spoken_unit = {"°C": " degrees", "%": " percent", "W": " watts"}[unit]
        text = rng.choice((f"what's the {x}?", f"what is the {x}", f"how much is the {x} reading"))
        return Request("question_value", "answer", text, reply(f"The {entity.name} is {entity.state}{spoken_unit}."))
    if entity.domain == "climate":
        return _climate(rng, entity, x)
    volume = round(float(entity.attributes["volume_level"]) * 100)
    text = rng.choice((f"what's the volume on the {x}?", f"how loud is the {x}"))
    return Request("question_value", "answer", text, reply(f"The {entity.name} volume is at {volume}%."))


def _climate(rng: random.Random, entity: Entity, x: str) -> Request:
    if rng.random() < 0.5:
        text = rng.choice((f"what is the {x} set to?", f"what temperature is the {x} set to"))
        return Request(
            "question_value",
            "answer",
            text,
            reply(f"The {entity.name} is set to {entity.attributes['temperature']} degrees."),
        )
    text = rng.choice((f"how warm is it according to the {x}?", f"what's the current temperature on the {x}"))
    current = entity.attributes["current_temperature"]
    return Request("question_value", "answer", text, reply(f"The {entity.name} reads {current} degrees."))


def playing(rng: random.Random, home: Home) -> Request | None:
    player = pick(rng, home.exposed("media_player"))
    if player is None:
        return None
    state = rng.choice(("playing", "off"))
    text = rng.choice(
        (f"what's playing on the {said_name(rng, player)}?", f"what is the {said_name(rng, player)} playing")
    )
    answer = f"Nothing, the {player.name} is off."
    if state == "playing":
        # A title is an attribute: a player put back to "playing" keeps the one it was described with.
        if not (title := player.attributes.get("media_title")):
            return None
        answer = f"The {player.name} is playing {title}."
    return Request("question_playing", "answer", text, reply(answer), given={player.entity_id: state})
