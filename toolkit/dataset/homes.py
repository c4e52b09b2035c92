"""Random synthetic homes: floors, areas, devices of every kind the agent controls, scripts.

A home is described twice over: as the fixture_home description a real Home Assistant builds it
from (tests/testing_config/custom_components/fixture_home), and as the generator's own knowledge
of it (which device is where, what it is called, whether it is exposed), from which the right
outcome of every request is derived.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from .names import AREAS, DEVICE_NAMES, FLOORS, SCRIPTS

CONTROLLED = ("light", "switch", "fan", "lock", "cover", "climate", "media_player")
READ_ONLY = ("sensor", "binary_sensor")
PRIVATE_SHARE = 0.12  # of devices not exposed to Assist
ALIAS_SHARE = 0.5  # of devices with a name pattern's alias


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    floor: str | None = None  # an area's floor id


@dataclass
class Entity:
    domain: str
    id: str
    name: str
    area: Place | None
    aliases: tuple[str, ...] = ()
    exposed: bool = True
    state: str = "off"
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def entity_id(self) -> str:
        return f"{self.domain}.{self.id}"

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"domain": self.domain, "id": self.id, "name": self.name, "state": self.state}
        if self.area:
            described["area"] = self.area.id
        if self.aliases:
            described["aliases"] = list(self.aliases)
        if not self.exposed:
            described["exposed"] = False
        if self.attributes:
            described["attributes"] = dict(self.attributes)
        return described


@dataclass(frozen=True)
class Script:
    id: str
    name: str
    request: str  # how a user asks for it


@dataclass
class Home:
    key: str
    floors: list[Place]
    areas: list[Place]
    entities: list[Entity]
    scripts: list[Script]
    has_weather: bool = False

    def description(self) -> dict[str, Any]:
        """The fixture_home description Home Assistant builds this home from."""
        entities = [entity.describe() for entity in self.entities]
        if self.has_weather:
            entities.append(_WEATHER)
        return {
            "floors": [{"id": f.id, "name": f.name, "aliases": list(f.aliases)} for f in self.floors],
            "areas": [
                {"id": a.id, "name": a.name, "aliases": list(a.aliases), **({"floor": a.floor} if a.floor else {})}
                for a in self.areas
            ],
            "entities": entities,
        }

    def exposed(self, *domains: str) -> list[Entity]:
        return [e for e in self.entities if e.exposed and (not domains or e.domain in domains)]

    @property
    def private(self) -> list[Entity]:
        return [e for e in self.entities if not e.exposed]

    def in_area(self, area: Place, *domains: str) -> list[Entity]:
        return [e for e in self.exposed(*domains) if e.area == area]

    def on_floor(self, floor: Place, *domains: str) -> list[Entity]:
        return [e for e in self.exposed(*domains) if e.area and e.area.floor == floor.id]

    def floor_of(self, area: Place) -> Place | None:
        return next((f for f in self.floors if f.id == area.floor), None)


_WEATHER = {
    "domain": "weather",
    "id": "home",
    "name": "Home Weather",
    "state": "partlycloudy",
    "attributes": {"temperature": 14.0, "forecast": [{"condition": "rainy", "temperature": 15, "templow": 8}]},
}


def random_home(rng: random.Random, key: str) -> Home:
    floors = _floors(rng)
    areas = _areas(rng, floors)
    entities = _Builder(rng, areas).build()
    scripts = [Script(*s) for s in rng.sample(SCRIPTS, rng.randint(0, 2))]
    return Home(key, floors, areas, entities, scripts, has_weather=rng.random() < 0.6)


def _floors(rng: random.Random) -> list[Place]:
    count = rng.choice((0, 1, 2, 2, 3))
    if count == 0:
        return []
    start = rng.randint(0, len(FLOORS) - count)
    return [
        Place(fid, name, aliases if rng.random() < 0.5 else ()) for fid, name, aliases in FLOORS[start : start + count]
    ]


def _areas(rng: random.Random, floors: list[Place]) -> list[Place]:
    chosen = rng.sample(AREAS, rng.randint(3, 8))
    return [
        Place(aid, name, aliases if rng.random() < 0.4 else (), rng.choice(floors).id if floors else None)
        for aid, name, aliases in chosen
    ]


class _Builder:
    """Devices for each area, every name unique in the home (exposed or not)."""

    def __init__(self, rng: random.Random, areas: list[Place]) -> None:
        self.rng = rng
        self.areas = areas
        self.entities: list[Entity] = []
        self.taken: set[str] = {a.name.casefold() for a in areas} | {x.casefold() for a in areas for x in a.aliases}

    def build(self) -> list[Entity]:
        for area in self.areas:
            self._add("light", area)
            for domain, chance in (("light", 0.4), ("switch", 0.3), ("fan", 0.3), ("cover", 0.35),
                                   ("media_player", 0.45), ("sensor", 0.35), ("binary_sensor", 0.3)):  # fmt: skip
                if self.rng.random() < chance:
                    self._add(domain, area)
        for domain, count in (("lock", self.rng.choice((0, 1, 1, 2, 3))), ("climate", self.rng.choice((0, 1, 1, 2)))):
            for _ in range(count):
                self._add(domain, self.rng.choice(self.areas))
        if not any(e.domain in CONTROLLED and e.exposed for e in self.entities):
            self._add("switch", self.areas[0], exposed=True)
        return self.entities

    def _add(self, domain: str, area: Place, exposed: bool | None = None) -> None:
        patterns = list(DEVICE_NAMES[domain])
        self.rng.shuffle(patterns)
        for pattern, aliases, attributes in patterns:
            name = pattern.replace("{area}", area.name)
            if "{area}" not in pattern and names_a_place(name, self.areas):
                continue
            names = {name.casefold(), *(a.casefold() for a in aliases)}
            if names & self.taken:
                continue
            kept_aliases = aliases if self.rng.random() < ALIAS_SHARE else ()
            self.taken |= {name.casefold(), *(a.casefold() for a in kept_aliases)}
            is_exposed = exposed if exposed is not None else self.rng.random() >= PRIVATE_SHARE
            entity_id = f"{_slug(name)}_{len(self.entities)}"
            state, attrs = _random_state(self.rng, domain, dict(attributes))
            self.entities.append(Entity(domain, entity_id, name, area, kept_aliases, is_exposed, state, attrs))
            return


def names_a_place(name: str, areas: list[Place]) -> bool:
    """The name holds an area's name or alias. Such a name read in a request names that area, so the
    target guard expects the device there: "Garage Door" is only made in the garage, and two
    commands in one sentence leave such names out (the other device would be in another area)."""
    words = f" {name.casefold()} "
    return any(f" {place.casefold()} " in words for area in areas for place in (area.name, *area.aliases))


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name.casefold()).strip("_")


def _random_state(rng: random.Random, domain: str, attributes: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if domain == "light":
        state = rng.choice(("on", "off"))
        if state == "on" and attributes.get("dimmable"):
            attributes["brightness"] = rng.randint(20, 255)
        return state, attributes
    if domain == "lock":
        return rng.choice(("locked", "unlocked")), attributes
    if domain == "cover":
        return rng.choice(("open", "closed")), attributes
    if domain == "climate":
        attributes.update(temperature=float(rng.randint(17, 23)), current_temperature=rng.randint(160, 240) / 10)
        return rng.choice(("heat", "heat", "cool", "off")), attributes
    if domain == "media_player":
        state = rng.choice(("playing", "paused", "off", "idle"))
        attributes["volume_level"] = rng.randint(1, 10) / 10
        if state in ("playing", "paused"):
            attributes["media_title"] = rng.choice(("Morning Jazz", "Abbey Road", "The News Hour", "Lo-fi Beats"))
        return state, attributes
    if domain == "sensor":
        unit = attributes.get("unit_of_measurement")
        value = {"°C": rng.randint(50, 260) / 10, "%": rng.randint(30, 70), "W": rng.randint(80, 3000)}[str(unit)]
        return str(value), attributes
    return rng.choice(("on", "off")), attributes
