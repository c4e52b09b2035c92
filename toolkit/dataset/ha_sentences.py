"""Home Assistant's own sentence templates (home-assistant-intents, CC-BY-4.0), sampled with hassil.

One random path through a template gives a sentence with its slots left open ("turn off the
{area} lights"); they are filled with this home's names, so the slots — and so the right call —
are known without asking the matcher. Templates this agent answers differently are skipped.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from hassil.expression import ListReference, RuleReference, TextChunk
from hassil.intents import Intents
from home_assistant_intents import get_intents

from .homes import Entity, Home
from .request import Request, area_name_as_said, call, pick, said_area, said_name

ATTRIBUTION = "Home Assistant intents (home-assistant/intents), © the contributors, CC BY 4.0"
INTENTS = ("HassTurnOn", "HassTurnOff", "HassLightSet", "HassClimateSetTemperature", "HassMediaPause",
           "HassMediaUnpause", "HassMediaNext", "HassMediaPrevious", "HassSetVolume")  # fmt: skip
SLOTS = {"name", "area", "brightness", "temperature", "volume"}
DOMAIN_VERBS = {("lock", "HassTurnOn"): "Lock", ("lock", "HassTurnOff"): "Unlock",
                ("cover", "HassTurnOn"): "Open", ("cover", "HassTurnOff"): "Close"}  # fmt: skip


@dataclass(frozen=True)
class Template:
    intent: str
    sentence: Any  # hassil Sentence
    rules: dict[str, Any]
    slots: dict[str, Any]  # slots the template fixes (domain: light)
    context: dict[str, Any]  # what it requires of the target (domain: light, area: here)


@cache
def templates() -> tuple[Template, ...]:
    intents = Intents.from_dict(get_intents("en") or {})
    found = []
    for name in INTENTS:
        for data in intents.intents[name].data:
            rules = {**intents.expansion_rules, **(data.expansion_rules or {})}
            for sentence in data.sentences:
                found.append(Template(name, sentence, rules, dict(data.slots), dict(data.requires_context)))
    return tuple(found)


def walk(expression: Any, rules: dict[str, Any], rng: random.Random) -> str:
    """One random sentence of the expression, with its lists left as {list} placeholders.

    hassil 2 (Home Assistant 2025.4) has one Sequence class with a type; hassil 3 (2026.x) a class
    per kind (Sequence, Alternative, Permutation) and a Sentence that wraps its expression.
    """
    if isinstance(expression, TextChunk):
        return str(expression.original_text)
    if isinstance(expression, ListReference):
        return f"{{{expression.list_name}}}"
    if isinstance(expression, RuleReference):
        return walk(rules[expression.rule_name], rules, rng)
    items = getattr(expression, "items", None)
    if items is None:  # a hassil 3 Sentence
        return walk(expression.expression, rules, rng)
    kind = str(getattr(expression, "type", type(expression).__name__)).lower()
    if kind.endswith("alternative"):
        return walk(rng.choice(items), rules, rng)
    if kind.endswith("permutation"):
        return " ".join(walk(item, rules, rng) for item in rng.sample(items, len(items)))
    return "".join(walk(item, rules, rng) for item in items)


TRIES = 12  # most random templates need names this home lacks ({zone}, a valve) or are skipped


def ha_template(rng: random.Random, home: Home) -> Request | None:
    for _ in range(TRIES):
        if request := _one_template(rng, home):
            return request
    return None


def _one_template(rng: random.Random, home: Home) -> Request | None:
    template = rng.choice(templates())
    text = " ".join(walk(template.sentence, template.rules, rng).split())
    lists = set(re.findall(r"{(\w+)}", text))
    if lists - SLOTS or "area" in template.context or template.slots.get("name") == "all":
        return None  # lists this home has no names for, "here" sentences, "all" names
    domain = template.slots.get("domain") or template.context.get("domain")
    if "name" in lists:
        return _named(rng, home, template, text, lists, domain)
    return _area(rng, home, template, text, lists, domain)


def _named(rng: random.Random, home: Home, t: Template, text: str, lists: set[str], domain: Any) -> Request | None:
    domains = {"HassLightSet": "light", "HassClimateSetTemperature": "climate"}.get(t.intent) or domain
    if t.intent.startswith(("HassMedia", "HassSetVolume")):
        domains = "media_player"
    if "brightness" in lists and not domains:
        domains = "light"
    candidates = (
        home.exposed(domains)
        if isinstance(domains, str)
        else home.exposed("light", "switch", "fan", "media_player", "lock", "cover")
    )
    entity = pick(rng, [e for e in candidates if "area" not in lists or e.area])
    if entity is None or (entity.domain == "climate" and t.intent in ("HassTurnOn", "HassTurnOff")):
        return None
    tool = DOMAIN_VERBS.get((entity.domain, t.intent), t.intent)
    if entity.domain in ("lock", "cover") and tool == t.intent:
        return None
    values: dict[str, Any] = {"name": said_name(rng, entity)}
    if "area" in lists and entity.area:
        # Not an alias: the target guard compares a device's area by its name only (see the README).
        values["area"] = entity.area.name.lower()
    arguments = {"name": entity.name, **_settings(rng, lists, values)}
    return Request("ha_template", "call", _fill(text, values), call(tool, **arguments), given=_given(entity, t.intent))


def _area(rng: random.Random, home: Home, t: Template, text: str, lists: set[str], domain: Any) -> Request | None:
    kind = {"HassLightSet": "light"}.get(t.intent, domain)
    if "area" not in lists or kind not in ("light", "fan"):
        return None
    area = pick(rng, [a for a in home.areas if home.in_area(a, kind)])
    if area is None:
        return None
    values: dict[str, Any] = {"area": said_area(rng, area)}
    arguments = {"area": area_name_as_said(area, values["area"]), "domain": [kind], **_settings(rng, lists, values)}
    return Request("ha_template_area", "call", _fill(text, values), call(t.intent, **arguments))


def _settings(rng: random.Random, lists: set[str], values: dict[str, Any]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for slot, argument, low, high in (("brightness", "brightness", 5, 100), ("temperature", "temperature", 16, 25),
                                      ("volume", "volume_level", 5, 100)):  # fmt: skip
        if slot in lists:
            values[slot] = settings[argument] = rng.randint(low, high)
    return settings


def _given(entity: Entity, intent: str) -> dict[str, str]:
    if intent == "HassMediaUnpause":
        return {entity.entity_id: "paused"}
    return {}


def _fill(text: str, values: dict[str, Any]) -> str:
    return re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), text)
