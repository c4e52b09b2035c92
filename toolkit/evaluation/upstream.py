"""Import the Home Assistant intents test format (home-assistant/intents `tests/<lang>/`) from any path.

`_fixtures.yaml` becomes a fixture home; each `<domain>_<Intent>.yaml` sentence becomes a case whose
expected call is the test's intent with its slots resolved to entity ids in that home (name or
alias, area, floor, domain, device class), so an agent passes by acting on the same entities, not by
repeating the same words. `<Intent>/*.yaml` files bring their own small home. What the fixture home
cannot represent (timers, to-do lists, media search, devices of other domains) is kept as a skipped
case with the reason. Scoring rules: evals/README.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import voluptuous as vol
from homeassistant.util.yaml import load_yaml_dict

from custom_components.fixture_home import HOME_SCHEMA
from custom_components.local_llm_assist.engine.home_names import READ_ONLY_DOMAINS

from .cases import Case, ExpectedCall, Home
from .scoring import INTENT_DOMAINS

FIXTURES_FILE = "_fixtures.yaml"
FIXTURE_DOMAINS = {"light", "switch", "lock", "cover", "climate", "fan", "media_player", "sensor", "binary_sensor"}
# Upstream attributes the fixture home understands; the rest describe things it does not model.
KEPT_ATTRIBUTES = {
    "device_class",
    "unit_of_measurement",
    "position",
    "temperature",
    "current_temperature",
    "volume_level",
    "media_title",
}
NOT_MODELLED = {
    "HassStartTimer": "timers need a satellite that supports them",
    "HassCancelTimer": "timers need a satellite that supports them",
    "HassCancelAllTimers": "timers need a satellite that supports them",
    "HassIncreaseTimer": "timers need a satellite that supports them",
    "HassDecreaseTimer": "timers need a satellite that supports them",
    "HassPauseTimer": "timers need a satellite that supports them",
    "HassUnpauseTimer": "timers need a satellite that supports them",
    "HassTimerStatus": "timers need a satellite that supports them",
    "HassMediaSearchAndPlay": "media search needs a media source; the fixture home has none",
    "HassShoppingListAddItem": "to-do lists are not in the fixture home",
    "HassShoppingListCompleteItem": "to-do lists are not in the fixture home",
    "HassListAddItem": "to-do lists are not in the fixture home",
    "HassListCompleteItem": "to-do lists are not in the fixture home",
    "HassBroadcast": "broadcasts need satellites",
    "HassGetWeather": "the fixture home has no weather entity",
    "HassGetCurrentDate": "date and time answers change with the clock and are not scored",
    "HassGetCurrentTime": "date and time answers change with the clock and are not scored",
}
# Requests that must only be acknowledged: passing means changing nothing.
NOTHING_TO_DO = {"HassNevermind", "HassRespond"}
# Upstream tests check the understood intent, not the device's state; Home Assistant only pauses,
# skips or turns down a player that plays, and resumes one that is paused.
STATE_NEEDED = {
    "HassMediaPause": "playing",
    "HassMediaNext": "playing",
    "HassMediaPrevious": "playing",
    "HassSetVolume": "playing",
    "HassMediaUnpause": "paused",
}
QUESTIONS = {"HassGetState", "HassClimateGetTemperature"}
VALUE_SLOTS = ("brightness", "color", "volume_level", "temperature", "position")
TARGET_SLOTS = ("name", "area", "floor", "domain", "device_class")
NO_SUCH_DEVICE = "the slots name no entity the test home has"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class UpstreamEntity:
    entity_id: str
    name: str
    aliases: tuple[str, ...]
    area: str | None  # area name
    floor: str | None  # floor name
    device_class: str | None
    description: Mapping[str, Any] | None  # for fixture_home; None when it cannot build this entity
    problem: str = ""

    @property
    def domain(self) -> str:
        return self.entity_id.split(".", 1)[0]


@dataclass(frozen=True)
class UpstreamHome:
    home: Home
    entities: list[UpstreamEntity]


def load_upstream(folder: Path) -> list[Case]:
    """Every sentence under a tests/<lang> folder, in file order."""
    folder = Path(folder)
    shared = convert_home(load_yaml_dict(folder / FIXTURES_FILE), key=f"upstream:{folder}")
    cases: list[Case] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name != FIXTURES_FILE:
            cases += cases_from_file(path, folder, shared)
    for path in sorted(folder.glob("*/*.yaml")):
        data = load_yaml_dict(path)
        own_home = convert_home(data, key=f"upstream:{path}")
        cases += cases_from_file(path, folder, own_home, default_intent=path.parent.name)
    return cases


def convert_home(fixtures: Mapping[str, Any], key: str) -> UpstreamHome:
    """An upstream fixture file as a fixture_home description, entity by entity."""
    floors = [{"id": _id(floor), "name": floor["name"]} for floor in fixtures.get("floors") or []]
    floor_names = {_id(floor): floor["name"] for floor in fixtures.get("floors") or []}
    areas = [{"id": _id(area), "name": area["name"], **_floor_of(area)} for area in fixtures.get("areas") or []]
    area_by_id = {area["id"]: area for area in areas}
    entities = []
    for raw in fixtures.get("entities") or []:
        area = area_by_id.get(raw.get("area", ""))
        entity = _convert_entity(raw, area, floors, areas)
        floor = floor_names.get(area.get("floor", "")) if area else None
        entities.append(
            UpstreamEntity(
                entity_id=_entity_id(raw),
                name=str(raw["name"]),
                aliases=tuple(raw.get("aliases") or ()),
                area=area["name"] if area else None,
                floor=floor,
                device_class=(raw.get("attributes") or {}).get("device_class"),
                description=entity if isinstance(entity, Mapping) else None,
                problem=entity if isinstance(entity, str) else "",
            )
        )
    description = {
        "floors": floors,
        "areas": areas,
        "entities": [entity.description for entity in entities if entity.description],
    }
    return UpstreamHome(Home(key=key, description=description), entities)


def _id(item: Mapping[str, Any]) -> str:
    return str(item.get("id") or _slug(item["name"]))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")


def _floor_of(area: Mapping[str, Any]) -> dict[str, str]:
    return {"floor": area["floor"]} if area.get("floor") else {}


def _entity_id(raw: Mapping[str, Any]) -> str:
    if "id" in raw:
        return str(raw["id"])
    return f"{raw['domain']}.{_slug(raw['name'])}"


def _convert_entity(
    raw: Mapping[str, Any], area: Mapping[str, Any] | None, floors: list[Any], areas: list[Any]
) -> dict[str, Any] | str:
    """The fixture_home description of one upstream entity, or why it cannot be built."""
    domain, object_id = _entity_id(raw).split(".", 1)
    if domain not in FIXTURE_DOMAINS:
        return f"a {domain} entity, which the fixture home cannot create"
    attributes = {key: value for key, value in (raw.get("attributes") or {}).items() if key in KEPT_ATTRIBUTES}
    state = raw.get("state")
    if isinstance(state, Mapping):  # {in: what a sentence says, out: the real state}
        state = state.get("out")
    if "state_with_unit" in raw:
        state, _, unit = str(raw["state_with_unit"]).partition(" ")
        attributes["unit_of_measurement"] = unit
    if "volume_level" in attributes and float(attributes["volume_level"]) > 1:
        attributes["volume_level"] = float(attributes["volume_level"]) / 100  # upstream writes percent
    if domain == "light":
        attributes["color"] = True  # upstream lights take brightness and colour
    entity: dict[str, Any] = {"domain": domain, "id": _slug(object_id), "name": raw["name"]}
    if area:
        entity["area"] = area["id"]
    if raw.get("aliases"):
        entity["aliases"] = list(raw["aliases"])
    if state is not None:
        entity["state"] = str(state)
    if attributes:
        entity["attributes"] = attributes
    try:
        HOME_SCHEMA({"floors": floors, "areas": areas, "entities": [entity]})
    except vol.Invalid as err:
        return f"an entity the fixture home rejects ({err})"
    return entity


def cases_from_file(path: Path, folder: Path, home: UpstreamHome, default_intent: str = "") -> list[Case]:
    data = load_yaml_dict(path)
    source = str(path.relative_to(folder.parent))
    cases = []
    for test_index, test in enumerate(data.get("tests") or []):
        intent_data = test.get("intent") or {}
        intent_name = str(intent_data.get("name", default_intent))
        slots = intent_data.get("slots", test.get("slots")) or {}
        context = intent_data.get("context") or {}
        response = str(test.get("response", ""))
        for sentence_index, sentence in enumerate(test.get("sentences") or []):
            case_id = f"upstream/{source}/{test_index}/{sentence_index}"
            case = build_case(case_id, str(sentence), intent_name, slots, context, response, home)
            cases.append(replace(case, source=source))
    return cases


def build_case(
    case_id: str,
    text: str,
    intent_name: str,
    slots: Mapping[str, Any],
    context: Mapping[str, Any],
    response: str,
    home: UpstreamHome,
) -> Case:
    base = Case(id=case_id, home=home.home, utterances=(text,), category=intent_name)
    if reason := NOT_MODELLED.get(intent_name):
        return replace(base, skip_reason=reason)
    if intent_name in NOTHING_TO_DO:
        return replace(base, negative=True)
    targets, problem = resolve_targets(intent_name, slots, home.entities)
    if problem == NO_SUCH_DEVICE:
        return replace(base, negative=True)  # the right answer is "there is no such device"
    if problem:
        return replace(base, skip_reason=problem)
    arguments = {slot: slots[slot] for slot in VALUE_SLOTS if slot in slots}
    answer = answer_phrases(response) if intent_name in QUESTIONS else ()
    return replace(
        base,
        given=dict.fromkeys(sorted(targets), needed) if (needed := STATE_NEEDED.get(intent_name)) else {},
        calls=(ExpectedCall(intent=intent_name, targets=targets, arguments=arguments),),
        reply_contains=answer,
        answer_suffices=bool(answer),
        satellite_area=context.get("area"),
    )


def resolve_targets(
    intent_name: str, slots: Mapping[str, Any], entities: list[UpstreamEntity]
) -> tuple[frozenset[str], str]:
    """The entity ids the intent's slots name in the home, or why the case cannot be scored here."""
    wanted = {slot: _values(slots.get(slot)) for slot in TARGET_SLOTS}
    wanted["name"] -= {"all"}  # "all the lights": not an entity name
    matches = [entity for entity in entities if _matches(entity, wanted)]
    domains = INTENT_DOMAINS.get(intent_name)
    if domains:
        matches = [entity for entity in matches if entity.domain in domains]
    if intent_name in ("HassTurnOn", "HassTurnOff"):
        matches = [entity for entity in matches if entity.domain not in READ_ONLY_DOMAINS]
    if not any(wanted.values()) and not domains:
        return frozenset(), "the test names no target (an answer the fixture home cannot check)"
    if not matches:
        return frozenset(), NO_SUCH_DEVICE
    if unbuildable := [entity for entity in matches if entity.description is None]:
        return frozenset(), f"targets {unbuildable[0].problem}"
    return frozenset(entity.entity_id for entity in matches), ""


def _values(value: Any) -> set[str]:
    if value is None:
        return set()
    items: Iterable[Any] = value if isinstance(value, list) else [value]
    return {str(item).casefold() for item in items}


def _matches(entity: UpstreamEntity, wanted: Mapping[str, set[str]]) -> bool:
    names = {entity.name.casefold(), *(alias.casefold() for alias in entity.aliases)}
    checks = {
        "name": bool(names & wanted["name"]),
        "area": (entity.area or "").casefold() in wanted["area"],
        "floor": (entity.floor or "").casefold() in wanted["floor"],
        "domain": entity.domain in wanted["domain"],
        "device_class": (entity.device_class or "").casefold() in wanted["device_class"],
    }
    return all(checks[slot] for slot, values in wanted.items() if values)


def answer_phrases(response: str) -> tuple[str, ...]:
    """What a correct spoken answer must contain: its yes/no, else its numbers (all of them)."""
    first = response.split(",")[0].strip().casefold()
    if first in ("yes", "no"):
        return (first,)
    numbers = NUMBER.findall(response)
    return (numbers[0],) if len(numbers) == 1 else ()
