"""Fixture switches: plain on/off."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
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
    """Add the home's switches."""
    add_fixture_entities(async_add_entities, discovery_info, FixtureSwitch)


class FixtureSwitch(FixtureEntity, SwitchEntity):
    """An in-memory switch; toggle comes from ToggleEntity via is_on."""

    def __init__(self, spec: EntitySpec) -> None:
        """Set the initial state and device class."""
        super().__init__(spec)
        self._attr_is_on = spec.state == STATE_ON
        self._attr_device_class = spec.attributes.get("device_class")

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn on."""
        self._attr_is_on = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn off."""
        self._attr_is_on = False
        self.async_write_ha_state()
