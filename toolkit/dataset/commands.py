"""Our own command templates: named devices, areas, floors, the whole home, "here", settings, media."""

from __future__ import annotations

import random

from .homes import Home
from .request import Request, area_name_as_said, call, pick, said_area, said_name

ON_VERBS = ("turn on the {x}", "switch on the {x}", "turn the {x} on", "put the {x} on", "start the {x}")
OFF_VERBS = ("turn off the {x}", "switch off the {x}", "turn the {x} off", "shut off the {x}", "kill the {x}")
VERBS = {  # domain → (tool, templates) for each direction
    "lock": (("Lock", ("lock the {x}", "secure the {x}", "lock up the {x}")),
             ("Unlock", ("unlock the {x}", "open the lock on the {x}"))),
    "cover": (("Open", ("open the {x}", "raise the {x}", "pull up the {x}")),
              ("Close", ("close the {x}", "lower the {x}", "shut the {x}"))),
}  # fmt: skip
# Plural words for a kind of device, as said about an area, floor or the whole home.
KIND_PLURALS = {"light": ("lights", "lamps"), "fan": ("fans",), "media_player": ("speakers", "tvs")}


def named_on_off(rng: random.Random, home: Home) -> Request | None:
    entity = pick(rng, home.exposed("light", "switch", "fan", "media_player", "climate", "lock", "cover"))
    if entity is None:
        return None
    on = rng.random() < 0.5
    x = said_name(rng, entity)
    if entity.domain in VERBS:
        tool, templates = VERBS[entity.domain][0 if on else 1]
        text = rng.choice(templates).format(x=x)
    else:
        tool = "HassTurnOn" if on else "HassTurnOff"
        text = rng.choice(ON_VERBS if on else OFF_VERBS).format(x=x)
    given = {entity.entity_id: opposite_state(entity.domain, on)}
    return Request(f"named_{entity.domain}", "call", text, call(tool, name=entity.name), given=given)


def opposite_state(domain: str, on: bool) -> str:
    states = {"lock": ("unlocked", "locked"), "cover": ("closed", "open"), "climate": ("off", "heat")}.get(
        domain, ("off", "on")
    )
    return states[0] if on else states[1]


def area_kind(rng: random.Random, home: Home) -> Request | None:
    """ "turn off the lights in the kitchen": every device of a kind in an area."""
    choices = [(a, k) for a in home.areas for k in KIND_PLURALS if home.in_area(a, k)]
    if not choices:
        return None
    area, kind = rng.choice(choices)
    on = rng.random() < 0.5
    said = said_area(rng, area)
    plural = rng.choice(KIND_PLURALS[kind])
    text = rng.choice((
        f"turn {'on' if on else 'off'} the {plural} in the {said}",
        f"switch {'on' if on else 'off'} all the {plural} in the {said}",
        f"{said} {plural} {'on' if on else 'off'}",
        f"turn the {said} {plural} {'on' if on else 'off'}",
    ))  # fmt: skip
    arguments = {"area": area_name_as_said(area, said), "domain": [kind]}
    return Request("area", "call", text, call("HassTurnOn" if on else "HassTurnOff", **arguments))


def floor_kind(rng: random.Random, home: Home) -> Request | None:
    choices = [(f, k) for f in home.floors for k in ("light", "fan") if home.on_floor(f, k)]
    if not choices:
        return None
    floor, kind = rng.choice(choices)
    said = rng.choice((floor.name, *floor.aliases)).lower()
    on = rng.random() < 0.5
    plural = rng.choice(KIND_PLURALS[kind])
    where = said if said in ("upstairs", "downstairs") else f"on the {said}"
    text = rng.choice(
        (f"turn {'on' if on else 'off'} all the {plural} {where}", f"{plural} {where} {'on' if on else 'off'}")
    )
    floor_said = next(n for n in (floor.name, *floor.aliases) if n.lower() == said)
    return Request("floor", "call", text, call("HassTurnOn" if on else "HassTurnOff", floor=floor_said, domain=[kind]))


def everywhere(rng: random.Random, home: Home) -> Request | None:
    kinds = [k for k in ("light", "fan", "media_player") if home.exposed(k)]
    kind = pick(rng, kinds)
    if kind is None:
        return None
    on = rng.random() < 0.4
    plural = rng.choice(KIND_PLURALS[kind])
    text = rng.choice((
        f"turn {'on' if on else 'off'} all the {plural}",
        f"turn {'on' if on else 'off'} every {plural[:-1]} in the house",
        f"switch {'on' if on else 'off'} all {plural} in the whole house",
        f"{plural} {'on' if on else 'off'} everywhere",
    ))  # fmt: skip
    return Request("everything", "call", text, call("HassTurnOn" if on else "HassTurnOff", domain=[kind]))


def here_kind(rng: random.Random, home: Home) -> Request | None:
    choices = [(a, k) for a in home.areas for k in ("light", "fan") if home.in_area(a, k)]
    if not choices:
        return None
    area, kind = rng.choice(choices)
    on = rng.random() < 0.5
    plural = rng.choice(KIND_PLURALS[kind])
    text = rng.choice(
        (
            f"turn {'on' if on else 'off'} the {plural} in here",
            f"{plural} {'on' if on else 'off'} in this room",
            f"switch the {plural} here {'on' if on else 'off'}",
        )
    )
    outcome = call("HassTurnOn" if on else "HassTurnOff", area=area.name, domain=[kind])
    return Request("here", "call", text, outcome, here=area)


def single_lock(rng: random.Random, home: Home) -> Request | None:
    """A home with one lock, asked to "lock the door": there is only one it can mean."""
    locks = home.exposed("lock")
    if len(locks) != 1 or [e for e in home.private if e.domain == "lock"]:
        return None
    lock = locks[0]
    on = rng.random() < 0.6
    text = rng.choice(
        ("lock the door", "lock the door please", "please lock the door") if on else ("unlock the door", "unlock it")
    )
    if not on and text == "unlock it":
        text = "unlock the door"
    return Request("single_lock", "call", text, call("Lock" if on else "Unlock", name=lock.name))


MEDIA = (
    ("HassMediaPause", ("pause the {x}", "pause {x}", "stop the music on the {x}")),
    ("HassMediaUnpause", ("resume the {x}", "unpause the {x}", "continue playing on the {x}", "resume {x}")),
    ("HassMediaNext", ("next song on the {x}", "skip this track on the {x}", "skip the song on the {x}")),
    (
        "HassMediaPrevious",
        ("previous track on the {x}", "go back a song on the {x}", "play the last song again on the {x}"),
    ),
)


def media(rng: random.Random, home: Home) -> Request | None:
    player = pick(rng, home.exposed("media_player"))
    if player is None:
        return None
    tool, templates = rng.choice(MEDIA)
    text = rng.choice(templates).format(x=said_name(rng, player))
    given = {player.entity_id: "paused" if tool == "HassMediaUnpause" else "playing"}
    return Request(f"media_{tool[9:].lower()}", "call", text, call(tool, name=player.name), given=given)


INDIRECT = (  # (kind, turn on?, sentences with {area})
    ("light", True, ("it's too dark in the {area}", "i can't see anything in the {area}", "the {area} is so dark")),
    ("light", False, ("it's too bright in the {area}", "the {area} is way too bright")),
    ("fan", True, ("it's so stuffy in the {area}", "it's boiling in the {area}, get some air moving")),
    ("fan", False, ("it's freezing in the {area} with the fan going", "the {area} is too drafty")),
)


def indirect(rng: random.Random, home: Home) -> Request | None:
    kind, on, sentences = rng.choice(INDIRECT)
    area = pick(rng, [a for a in home.areas if home.in_area(a, kind)])
    if area is None:
        return None
    said = said_area(rng, area)
    text = rng.choice(sentences).format(area=said)
    outcome = call("HassTurnOn" if on else "HassTurnOff", area=area_name_as_said(area, said), domain=[kind])
    return Request("indirect", "call", text, outcome)


# A home with one device of a kind, asked for it by its kind ("turn on the fan"): the word must be
# part of its name, as the target guard compares the call's target with what was said.
THE_ONLY_ONE = (
    ("fan", "fan", ("turn on the {w}", "switch the {w} off", "turn the {w} on", "turn off the {w}")),
    ("media_player", "tv", ("turn on the {w}", "turn the {w} off", "switch off the {w}")),
    ("climate", "thermostat", ("turn off the {w}", "switch on the {w}")),
)


def the_only_one(rng: random.Random, home: Home) -> Request | None:
    domain, word, templates = rng.choice(THE_ONLY_ONE)
    devices = [e for e in home.entities if e.domain == domain]
    if len(devices) != 1 or not devices[0].exposed or word not in devices[0].name.casefold().split():
        return None
    text = rng.choice(templates).format(w=word)
    tool = "HassTurnOff" if " off" in f" {text} " else "HassTurnOn"
    return Request("the_only_one", "call", text, call(tool, name=devices[0].name))
