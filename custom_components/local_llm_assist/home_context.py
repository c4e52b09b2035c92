"""What the model may see and target: exposed entities, their names, areas and states.

Only entities exposed to Assist appear here, so the prompt cannot mention, and the grammar cannot
target, anything the user kept private.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.const import ATTR_DEVICE_CLASS, ATTR_UNIT_OF_MEASUREMENT
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import floor_registry as fr
from homeassistant.helpers.translation import async_get_cached_translations

from . import compat
from .engine.data import Device
from .engine.home_names import HomeNames

ASSISTANT = "conversation"
# Domains whose entities are represented by tools of their own, not devices to act on.
NON_DEVICE_DOMAINS = {"script", "calendar"}


@dataclass(frozen=True)
class HomeContext:
    names: HomeNames
    private_names: set[str]  # names of entities that are not exposed

    @property
    def exposed_names(self) -> set[str]:
        return {name for device in self.names.devices for name in (device.name, *device.aliases)}

    @property
    def all_names(self) -> set[str]:
        """Every name a request may say: devices exposed or not, areas, floors."""
        return self.exposed_names | self.private_names | set(self.names.areas) | set(self.names.floors)


def async_get_home_context(hass: HomeAssistant) -> HomeContext:
    entities = er.async_get(hass)
    areas = ar.async_get(hass)
    devices: list[Device] = []
    private_names: set[str] = set()
    # Read once per turn, not per sensor: each read assembles a dict of the component's texts.
    sensor_words = async_get_cached_translations(hass, hass.config.language, "entity_component", "binary_sensor")
    for state in sorted(hass.states.async_all(), key=lambda s: s.entity_id):
        entry = entities.async_get(state.entity_id)
        aliases = [alias for alias in compat.entity_aliases(hass, entry) if alias != state.name]
        if not async_should_expose(hass, ASSISTANT, state.entity_id):
            private_names.update((state.name, *aliases))
            continue
        if state.domain in NON_DEVICE_DOMAINS:
            continue
        area = _entity_area(hass, entry, areas)
        devices.append(
            Device(
                name=state.name,
                domain=state.domain,
                area=area.name if area else None,
                aliases=tuple(sorted(aliases)),
                state=describe_state(state, _state_words(state, sensor_words)),
            )
        )
    area_names = sorted({name for area in areas.async_list_areas() for name in (area.name, *area.aliases)})
    floor_names = sorted(
        {name for floor in fr.async_get(hass).async_list_floors() for name in (floor.name, *floor.aliases)}
    )
    return HomeContext(HomeNames(devices, area_names, floor_names), private_names)


def _entity_area(hass: HomeAssistant, entry: er.RegistryEntry | None, areas: ar.AreaRegistry) -> ar.AreaEntry | None:
    if entry is None:
        return None
    if entry.area_id:
        return areas.async_get_area(entry.area_id)
    if entry.device_id:
        device = dr.async_get(hass).async_get(entry.device_id)
        if device and device.area_id:
            return areas.async_get_area(device.area_id)
    return None


def async_get_device_area(hass: HomeAssistant, device_id: str | None) -> str | None:
    """The area of the device a request came from (a voice satellite), if it has one."""
    device = dr.async_get(hass).async_get(device_id) if device_id else None
    area = ar.async_get(hass).async_get_area(device.area_id) if device and device.area_id else None
    return area.name if area else None


def _state_words(state: State, sensor_words: dict[str, str]) -> str:
    """A binary sensor's state in words ("on" for a battery means "Low"), from Home Assistant's own
    translations; the model cannot know what "on" means for each kind of sensor."""
    if state.domain != "binary_sensor":
        return state.state
    device_class = state.attributes.get(ATTR_DEVICE_CLASS) or "_"
    key = f"component.binary_sensor.entity_component.{device_class}.state.{state.state}"
    return sensor_words.get(key, state.state)


def describe_state(state: State, state_words: str) -> str:
    """A compact state for the prompt, with the attributes people ask about."""
    attributes = state.attributes
    parts = [state_words]
    if (brightness := attributes.get("brightness")) is not None and state.state == "on":
        parts.append(f"brightness {round(int(brightness) / 255 * 100)}%")
    if (target := attributes.get("temperature")) is not None:
        parts.append(f"set to {target}")
    if (current := attributes.get("current_temperature")) is not None:
        parts.append(f"currently {current}")
    if (position := attributes.get("current_position")) is not None:
        parts.append(f"position {position}%")
    if (title := attributes.get("media_title")) is not None:
        parts.append(f"playing {title}")
    if (volume := attributes.get("volume_level")) is not None:
        parts.append(f"volume {round(float(volume) * 100)}%")
    if (unit := attributes.get(ATTR_UNIT_OF_MEASUREMENT)) is not None:
        parts[0] = f"{state.state} {unit}"
    return ", ".join(parts)
