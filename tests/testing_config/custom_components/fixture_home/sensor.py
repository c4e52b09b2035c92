"""Fixture sensors: a fixed value with unit and device class."""

from __future__ import annotations

from datetime import date, datetime

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorStateClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType

from .entity import EntitySpec, FixtureEntity, add_fixture_entities


async def async_setup_platform(
    hass: HomeAssistant,
    config: ConfigType,
    async_add_entities: AddEntitiesCallback,
    discovery_info: DiscoveryInfoType | None = None,
) -> None:
    """Add the home's sensors."""
    add_fixture_entities(async_add_entities, discovery_info, FixtureSensor)


def _native_value(state: str, device_class: str | None) -> date | datetime | float | str:
    """Use a number when the state is one: numeric device classes reject strings; dates likewise."""
    if device_class == SensorDeviceClass.DATE:
        return date.fromisoformat(state)
    if device_class == SensorDeviceClass.TIMESTAMP:
        return datetime.fromisoformat(state)
    try:
        return float(state)
    except ValueError:
        return state


class FixtureSensor(FixtureEntity, SensorEntity):
    """A read-only sensor; tests change it by writing hass.states directly if needed."""

    def __init__(self, spec: EntitySpec) -> None:
        """Set value, unit, device class and state class from the spec."""
        super().__init__(spec)
        attributes = spec.attributes
        value = _native_value(spec.state, attributes.get("device_class"))
        self._attr_native_value = value
        self._attr_native_unit_of_measurement = attributes.get("unit_of_measurement")
        self._attr_device_class = attributes.get("device_class")
        # HA rejects a state class on text values, so only numbers get the default.
        default_class = SensorStateClass.MEASUREMENT if isinstance(value, float) else None
        self._attr_state_class = attributes.get("state_class", default_class)
