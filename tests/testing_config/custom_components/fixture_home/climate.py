"""Fixture thermostats: HVAC mode plus a single target temperature in °C."""

from __future__ import annotations

from typing import Any

from homeassistant.components.climate import ClimateEntity
from homeassistant.components.climate.const import (
    ATTR_HVAC_MODE,
    ClimateEntityFeature,
    HVACMode,
)
from homeassistant.const import ATTR_TEMPERATURE, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType

from .entity import EntitySpec, FixtureEntity, add_fixture_entities

DEFAULT_TARGET = 20.0


async def async_setup_platform(
    hass: HomeAssistant,
    config: ConfigType,
    async_add_entities: AddEntitiesCallback,
    discovery_info: DiscoveryInfoType | None = None,
) -> None:
    """Add the home's thermostats."""
    add_fixture_entities(async_add_entities, discovery_info, FixtureClimate)


class FixtureClimate(FixtureEntity, ClimateEntity):
    """An in-memory thermostat; the room temperature never changes on its own."""

    _attr_supported_features = (
        ClimateEntityFeature.TARGET_TEMPERATURE | ClimateEntityFeature.TURN_ON | ClimateEntityFeature.TURN_OFF
    )
    _attr_temperature_unit = UnitOfTemperature.CELSIUS
    _attr_target_temperature_step = 0.5

    def __init__(self, spec: EntitySpec) -> None:
        """Set mode and temperatures from the spec."""
        super().__init__(spec)
        self._attr_hvac_modes = [
            HVACMode.OFF,
            HVACMode.HEAT,
            HVACMode.COOL,
            HVACMode.HEAT_COOL,
        ]
        self._attr_hvac_mode = HVACMode(spec.state)
        # turn_on needs a mode to go back to; heating is the sensible default.
        self._last_active_mode = self._attr_hvac_mode if self._attr_hvac_mode != HVACMode.OFF else HVACMode.HEAT
        self._attr_target_temperature = spec.attributes.get("temperature", DEFAULT_TARGET)
        self._attr_current_temperature = spec.attributes.get("current_temperature")

    def _apply_mode(self, hvac_mode: HVACMode) -> None:
        """Switch mode, remembering the last active one for turn_on."""
        self._attr_hvac_mode = hvac_mode
        if hvac_mode != HVACMode.OFF:
            self._last_active_mode = hvac_mode

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Set the HVAC mode."""
        self._apply_mode(hvac_mode)
        self.async_write_ha_state()

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the target, and the mode when the service call carries one."""
        if ATTR_HVAC_MODE in kwargs:
            self._apply_mode(HVACMode(kwargs[ATTR_HVAC_MODE]))
        if ATTR_TEMPERATURE in kwargs:
            self._attr_target_temperature = kwargs[ATTR_TEMPERATURE]
        self.async_write_ha_state()

    async def async_turn_on(self) -> None:
        """Resume the last active mode."""
        await self.async_set_hvac_mode(self._last_active_mode)

    async def async_turn_off(self) -> None:
        """Switch off."""
        await self.async_set_hvac_mode(HVACMode.OFF)
