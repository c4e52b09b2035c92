"""Fixture home: real, in-memory Home Assistant entities built from a home description.

Test-only integration. Set it up with ``async_setup_component(hass, "fixture_home",
{"fixture_home": home})`` where ``home`` is::

    floors:                      # optional
      - {id: ground, name: Ground Floor, aliases: [...], level: 0}
    areas:                       # optional
      - {id: kitchen, name: Kitchen, floor: ground, aliases: [cooking area]}
    entities:
      - domain: light            # one of the domains below
        id: kitchen_ceiling      # -> entity_id light.kitchen_ceiling
        name: Kitchen Ceiling Light
        area: kitchen            # optional area id
        aliases: [big light]     # optional entity registry aliases
        exposed: true            # optional, exposure to the "conversation" assistant
        state: "off"             # optional initial state, default per domain
        attributes: {}           # optional, keys per domain below

The ``fixture_home.reset`` service puts every entity back to its described state and
attributes, so one home can serve many evaluation cases; ``states: {entity_id: state}`` starts
some entities in another state instead.

Floor and area registry ids equal the ``id`` given here. Unquoted YAML ``on``/``off``
(booleans) are accepted as states.

States (first one is the default) and attribute keys per domain:

* light: off|on. ``dimmable`` (bool), ``color`` (bool: RGB + colour temperature),
  ``brightness`` (0-255, implies dimmable), ``rgb_color`` ([r, g, b]) and
  ``color_temp_kelvin`` (both imply color). Neither dimmable nor color: on/off only.
* switch: off|on. ``device_class`` (outlet|switch).
* lock: locked|unlocked.
* cover: closed|open. ``device_class`` (garage, window, blind, ...), ``position``
  (0-100, wins over the state; closed means position 0).
* climate: off|heat|cool|heat_cool (the HVAC mode). ``temperature`` (target, °C),
  ``current_temperature`` (°C).
* fan: off|on. ``percentage`` (0-100; an "on" fan without one runs at 100).
* media_player: off|on|idle|playing|paused. ``volume_level`` (0-1),
  ``is_volume_muted``, ``device_class`` (tv|speaker|receiver), ``media_title``.
* sensor: state required, any value (an ISO date or timestamp for those device classes).
  ``unit_of_measurement``, ``device_class``, ``state_class`` (default measurement for numeric states).
* binary_sensor: off|on. ``device_class`` (door, window, motion, ...).
* weather: the condition (sunny|cloudy|partlycloudy|rainy|...). ``temperature`` (°C), ``forecast``
  (a list of days from today: ``{condition, temperature, templow}``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import voluptuous as vol
from homeassistant.components.binary_sensor import BinarySensorDeviceClass
from homeassistant.components.cover import CoverDeviceClass
from homeassistant.components.media_player import MediaPlayerDeviceClass
from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.components.switch import SwitchDeviceClass
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import floor_registry as fr
from homeassistant.helpers.discovery import async_load_platform
from homeassistant.helpers.typing import UNDEFINED, ConfigType

from .entity import DISCOVERY_SPECS, DOMAIN, ENTITIES, EntitySpec, FixtureEntity

CONF_ALIASES = "aliases"
CONF_AREA = "area"
CONF_AREAS = "areas"
CONF_ATTRIBUTES = "attributes"
CONF_DOMAIN = "domain"
CONF_ENTITIES = "entities"
CONF_EXPOSED = "exposed"
CONF_FLOOR = "floor"
CONF_FLOORS = "floors"
CONF_ID = "id"
CONF_LEVEL = "level"
CONF_NAME = "name"
CONF_STATE = "state"
SERVICE_RESET = "reset"
CONF_STATES = "states"


class DomainRules(NamedTuple):
    """What one domain accepts as state and attributes."""

    states: tuple[str, ...] | None  # None: any value, and the state is required
    attributes: Mapping[Any, Any]


_ON_OFF = ("off", "on")
_BYTE = vol.All(vol.Coerce(int), vol.Range(min=0, max=255))
_PERCENT = vol.All(vol.Coerce(int), vol.Range(min=0, max=100))

DOMAIN_RULES: dict[str, DomainRules] = {
    Platform.LIGHT: DomainRules(
        _ON_OFF,
        {
            vol.Optional("dimmable"): cv.boolean,
            vol.Optional("color"): cv.boolean,
            vol.Optional("brightness"): _BYTE,
            vol.Optional("rgb_color"): vol.All(vol.ExactSequence((_BYTE, _BYTE, _BYTE)), tuple),
            vol.Optional("color_temp_kelvin"): vol.All(vol.Coerce(int), vol.Range(min=1000, max=40000)),
        },
    ),
    Platform.SWITCH: DomainRules(_ON_OFF, {vol.Optional("device_class"): vol.Coerce(SwitchDeviceClass)}),
    Platform.LOCK: DomainRules(("locked", "unlocked"), {}),
    Platform.COVER: DomainRules(
        ("closed", "open"),
        {
            vol.Optional("device_class"): vol.Coerce(CoverDeviceClass),
            vol.Optional("position"): _PERCENT,
        },
    ),
    Platform.CLIMATE: DomainRules(
        ("off", "heat", "cool", "heat_cool"),
        {
            vol.Optional("temperature"): vol.Coerce(float),
            vol.Optional("current_temperature"): vol.Coerce(float),
        },
    ),
    Platform.FAN: DomainRules(_ON_OFF, {vol.Optional("percentage"): _PERCENT}),
    Platform.MEDIA_PLAYER: DomainRules(
        ("off", "on", "idle", "playing", "paused"),
        {
            vol.Optional("volume_level"): vol.All(vol.Coerce(float), vol.Range(min=0, max=1)),
            vol.Optional("is_volume_muted"): cv.boolean,
            vol.Optional("device_class"): vol.Coerce(MediaPlayerDeviceClass),
            vol.Optional("media_title"): cv.string,
        },
    ),
    Platform.SENSOR: DomainRules(
        None,
        {
            vol.Optional("unit_of_measurement"): cv.string,
            vol.Optional("device_class"): vol.Coerce(SensorDeviceClass),
            vol.Optional("state_class"): vol.Coerce(SensorStateClass),
        },
    ),
    Platform.BINARY_SENSOR: DomainRules(_ON_OFF, {vol.Optional("device_class"): vol.Coerce(BinarySensorDeviceClass)}),
    Platform.WEATHER: DomainRules(
        None,
        {
            vol.Optional("temperature"): vol.Coerce(float),
            vol.Optional("forecast"): [
                {
                    vol.Required("condition"): cv.string,
                    vol.Required("temperature"): vol.Coerce(float),
                    vol.Optional("templow"): vol.Coerce(float),
                }
            ],
        },
    ),
}


def _coerce_state(value: Any) -> str:
    """Turn a YAML state into a string; YAML 1.1 reads bare on/off as booleans."""
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


_ALIASES = vol.All(cv.ensure_list, [cv.string])


def _entity_schema(rules: DomainRules) -> vol.Schema:
    """Build the schema of one domain's entities."""
    state_key: vol.Marker
    if rules.states is None:
        state_key, state_value = vol.Required(CONF_STATE), vol.All(_coerce_state)
    else:
        state_key = vol.Optional(CONF_STATE, default=rules.states[0])
        state_value = vol.All(_coerce_state, vol.In(rules.states))
    return vol.Schema(
        {
            vol.Required(CONF_DOMAIN): cv.string,
            vol.Required(CONF_ID): cv.slug,
            vol.Required(CONF_NAME): cv.string,
            vol.Optional(CONF_AREA): cv.slug,
            vol.Optional(CONF_ALIASES, default=list): _ALIASES,
            vol.Optional(CONF_EXPOSED, default=True): cv.boolean,
            state_key: state_value,
            vol.Optional(CONF_ATTRIBUTES, default=dict): vol.Schema(rules.attributes),
        }
    )


_ENTITY_SCHEMAS = {domain: _entity_schema(rules) for domain, rules in DOMAIN_RULES.items()}
_ENTITY_DOMAIN = vol.Schema(
    {vol.Required(CONF_DOMAIN): vol.In(sorted(str(domain) for domain in DOMAIN_RULES))},
    extra=vol.ALLOW_EXTRA,
)


def _validate_entity(value: Any) -> dict[str, Any]:
    """Validate an entity against the schema of its own domain."""
    domain: str = _ENTITY_DOMAIN(value)[CONF_DOMAIN]
    validated: dict[str, Any] = _ENTITY_SCHEMAS[domain](value)
    return validated


FLOOR_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_ID): cv.slug,
        vol.Required(CONF_NAME): cv.string,
        vol.Optional(CONF_ALIASES, default=list): _ALIASES,
        vol.Optional(CONF_LEVEL): vol.Coerce(int),
    }
)
AREA_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_ID): cv.slug,
        vol.Required(CONF_NAME): cv.string,
        vol.Optional(CONF_FLOOR): cv.slug,
        vol.Optional(CONF_ALIASES, default=list): _ALIASES,
    }
)


def _require_unique(ids: Iterable[str], what: str) -> None:
    """Reject duplicate ids, which would silently merge two things into one."""
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise vol.Invalid(f"duplicate {what} id: {item_id}")
        seen.add(item_id)


def _require_known(refs: Iterable[str | None], known: set[str], what: str) -> None:
    """Reject references to floors or areas the home does not define."""
    for ref in refs:
        if ref is not None and ref not in known:
            raise vol.Invalid(f"unknown {what}: {ref}")


def _validate_references(home: dict[str, Any]) -> dict[str, Any]:
    """Check ids are unique and every floor/area reference resolves."""
    floor_ids = [floor[CONF_ID] for floor in home[CONF_FLOORS]]
    area_ids = [area[CONF_ID] for area in home[CONF_AREAS]]
    entities = home[CONF_ENTITIES]
    _require_unique(floor_ids, "floor")
    _require_unique(area_ids, "area")
    _require_unique((f"{e[CONF_DOMAIN]}.{e[CONF_ID]}" for e in entities), "entity")
    _require_known((a.get(CONF_FLOOR) for a in home[CONF_AREAS]), set(floor_ids), "floor")
    _require_known((e.get(CONF_AREA) for e in entities), set(area_ids), "area")
    return home


HOME_SCHEMA = vol.All(
    vol.Schema(
        {
            vol.Optional(CONF_FLOORS, default=list): [FLOOR_SCHEMA],
            vol.Optional(CONF_AREAS, default=list): [AREA_SCHEMA],
            vol.Optional(CONF_ENTITIES, default=list): [_validate_entity],
        }
    ),
    _validate_references,
)
CONFIG_SCHEMA = vol.Schema({DOMAIN: HOME_SCHEMA}, extra=vol.ALLOW_EXTRA)
RESET_SCHEMA = vol.Schema({vol.Optional(CONF_STATES, default=dict): {cv.entity_id: _coerce_state}})


def _async_ensure_floor(hass: HomeAssistant, conf: Mapping[str, Any]) -> str:
    """Create or update a floor and return its registry id."""
    registry = fr.async_get(hass)
    floor = registry.async_get_floor(conf[CONF_ID])
    if floor is None:
        # HA derives new ids from the name ("Ground Floor" -> ground_floor). Creating
        # under the configured id and renaming keeps the id tests refer to.
        floor = registry.async_create(conf[CONF_ID])
    return registry.async_update(
        floor.floor_id,
        name=conf[CONF_NAME],
        aliases=set(conf[CONF_ALIASES]),
        level=conf.get(CONF_LEVEL, UNDEFINED),
    ).floor_id


def _async_ensure_area(hass: HomeAssistant, conf: Mapping[str, Any], floor_ids: Mapping[str, str]) -> str:
    """Create or update an area and return its registry id."""
    registry = ar.async_get(hass)
    area = registry.async_get_area(conf[CONF_ID])
    if area is None:
        # Same trick as for floors: the configured id becomes the registry id.
        area = registry.async_create(conf[CONF_ID])
    floor = conf.get(CONF_FLOOR)
    return registry.async_update(
        area.id,
        name=conf[CONF_NAME],
        aliases=set(conf[CONF_ALIASES]),
        floor_id=floor_ids[floor] if floor else None,
    ).id


def _spec_from_config(conf: Mapping[str, Any], area_ids: Mapping[str, str]) -> EntitySpec:
    """Turn a validated entity description into an EntitySpec."""
    area = conf.get(CONF_AREA)
    return EntitySpec(
        domain=conf[CONF_DOMAIN],
        object_id=conf[CONF_ID],
        name=conf[CONF_NAME],
        state=conf[CONF_STATE],
        area_id=area_ids[area] if area else None,
        aliases=frozenset(conf[CONF_ALIASES]),
        exposed=conf[CONF_EXPOSED],
        attributes=dict(conf[CONF_ATTRIBUTES]),
    )


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Build the home: floors and areas first, so entities can point at them."""
    home = config[DOMAIN]
    floor_ids = {f[CONF_ID]: _async_ensure_floor(hass, f) for f in home[CONF_FLOORS]}
    area_ids = {a[CONF_ID]: _async_ensure_area(hass, a, floor_ids) for a in home[CONF_AREAS]}
    specs = [_spec_from_config(e, area_ids) for e in home[CONF_ENTITIES]]
    for platform in DOMAIN_RULES:
        platform_specs = [spec for spec in specs if spec.domain == platform]
        if not platform_specs:
            continue
        # A tracked task, so hass.async_block_till_done() waits for the entities.
        hass.async_create_task(async_load_platform(hass, platform, DOMAIN, {DISCOVERY_SPECS: platform_specs}, config))
    hass.services.async_register(DOMAIN, SERVICE_RESET, _async_reset, RESET_SCHEMA)
    return True


async def _async_reset(call: ServiceCall) -> None:
    """Put every fixture entity back to the state its description gives."""
    entities: dict[str, FixtureEntity] = call.hass.data.get(DOMAIN, {}).get(ENTITIES, {})
    states: dict[str, str] = call.data[CONF_STATES]
    if unknown := set(states) - set(entities):
        raise vol.Invalid(f"not fixture entities: {sorted(unknown)}")
    for entity_id, entity in list(entities.items()):
        entity.async_reset(states.get(entity_id))
