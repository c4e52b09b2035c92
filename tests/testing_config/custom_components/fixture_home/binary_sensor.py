"""Fixture binary sensors: a fixed on/off value with a device class."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.const import STATE_ON
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
    """Add the home's binary sensors."""
    add_fixture_entities(async_add_entities, discovery_info, FixtureBinarySensor)


class FixtureBinarySensor(FixtureEntity, BinarySensorEntity):
    """A read-only binary sensor."""

    def __init__(self, spec: EntitySpec) -> None:
        """Set value and device class from the spec."""
        super().__init__(spec)
        self._attr_is_on = spec.state == STATE_ON
        self._attr_device_class = spec.attributes.get("device_class")
