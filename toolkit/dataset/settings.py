"""Requests that set a value: brightness, temperature, volume, a cover's position."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from .homes import Entity, Home
from .request import Request, area_name_as_said, call, pick, said_area, said_name


@dataclass(frozen=True)
class Setting:
    family: str
    tool: str
    argument: str
    domain: str
    values: tuple[int, ...]
    templates: tuple[str, ...]  # with {x} (the device as said) and {v} (the value)
    settable: Callable[[Entity], bool] = lambda entity: True


SETTINGS = (
    Setting("brightness", "HassLightSet", "brightness", "light", (10, 20, 25, 30, 40, 50, 60, 75, 80, 100),
            ("dim the {x} to {v}%", "set the {x} to {v} percent", "set {x} brightness to {v}", "make the {x} {v}%"),
            lambda e: bool(e.attributes.get("dimmable") or e.attributes.get("color"))),
    Setting("climate_set", "HassClimateSetTemperature", "temperature", "climate", tuple(range(16, 26)),
            ("set the {x} to {v} degrees", "change the {x} to {v}", "make the {x} {v} degrees", "{x} to {v}")),
    Setting("volume", "HassSetVolume", "volume_level", "media_player", (10, 20, 25, 30, 40, 50, 60, 70, 80),
            ("set the {x} volume to {v}", "turn the {x} to volume {v}", "{x} volume {v} percent",
             "change the volume on the {x} to {v}%")),
    Setting("position", "HassSetPosition", "position", "cover", (10, 25, 30, 50, 70, 75, 80),
            ("set the {x} to {v}%", "open the {x} to {v} percent", "{x} to {v}%"),
            lambda e: e.attributes.get("device_class") != "garage"),
)  # fmt: skip
AREA_BRIGHTNESS = ("set the {area} lights to {v}%", "dim the lights in the {area} to {v} percent")


def setting(rng: random.Random, home: Home) -> Request | None:
    chosen = rng.choice(SETTINGS)
    entity = pick(rng, [e for e in home.exposed(chosen.domain) if chosen.settable(e)])
    if entity is None:
        return None
    value = rng.choice(chosen.values)
    if chosen.tool == "HassLightSet" and rng.random() < 0.3 and (lights_here := _area_with_lights(home, entity)):
        return lights_here(rng, value)
    text = rng.choice(chosen.templates).format(x=said_name(rng, entity), v=value)
    return Request(chosen.family, "call", text, call(chosen.tool, name=entity.name, **{chosen.argument: value}))


def _area_with_lights(home: Home, light: Entity) -> Callable[[random.Random, int], Request] | None:
    """Every light of the light's area at one brightness, when it has more than one."""
    area = light.area
    if area is None or len(home.in_area(area, "light")) < 2:
        return None

    def request(rng: random.Random, value: int) -> Request:
        said = said_area(rng, area)
        arguments = {"area": area_name_as_said(area, said), "domain": ["light"], "brightness": value}
        return Request("brightness_area", "call", rng.choice(AREA_BRIGHTNESS).format(area=said, v=value),
                       call("HassLightSet", **arguments))  # fmt: skip

    return request
