"""Fixture fans: on/off with a speed percentage."""

from __future__ import annotations

from typing import Any

from homeassistant.components.fan import FanEntity, FanEntityFeature
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType

from .entity import EntitySpec, FixtureEntity, add_fixture_entities

FULL_SPEED = 100


async def async_setup_platform(
    hass: HomeAssistant,
    config: ConfigType,
    async_add_entities: AddEntitiesCallback,
    discovery_info: DiscoveryInfoType | None = None,
) -> None:
    """Add the home's fans."""
    add_fixture_entities(async_add_entities, discovery_info, FixtureFan)


class FixtureFan(FixtureEntity, FanEntity):
    """An in-memory fan; FanEntity reports on while the percentage is above 0."""

    _attr_supported_features = FanEntityFeature.SET_SPEED | FanEntityFeature.TURN_ON | FanEntityFeature.TURN_OFF

    def __init__(self, spec: EntitySpec) -> None:
        """Set the initial speed; an "on" fan without a percentage runs flat out."""
        super().__init__(spec)
        default = FULL_SPEED if spec.state == STATE_ON else 0
        self._attr_percentage = spec.attributes.get("percentage", default)
        # Speed to resume at after turn_off, when turn_on gives none.
        self._last_speed = self._attr_percentage or FULL_SPEED

    async def async_set_percentage(self, percentage: int) -> None:
        """Set the speed; 0 means off."""
        self._attr_percentage = percentage
        if percentage:
            self._last_speed = percentage
        self.async_write_ha_state()

    async def async_turn_on(
        self,
        percentage: int | None = None,
        preset_mode: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Turn on at the given speed, else at the last one used."""
        await self.async_set_percentage(percentage if percentage is not None else self._last_speed)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn off."""
        await self.async_set_percentage(0)
