"""Fixture lights: on/off, dimmable, or colour (RGB plus colour temperature)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.light import (
    ATTR_BRIGHTNESS,
    ATTR_COLOR_TEMP_KELVIN,
    ATTR_RGB_COLOR,
    LightEntity,
)
from homeassistant.components.light.const import ColorMode
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType

from .entity import EntitySpec, FixtureEntity, add_fixture_entities

# A colour light starts as plain neutral white unless the home says otherwise.
DEFAULT_KELVIN = 4000
# Explicit kelvin bounds: without them HA falls back to deprecated mired defaults.
MIN_KELVIN = 2000
MAX_KELVIN = 6500
# Giving a colour only makes sense for a colour light, so these imply `color: true`.
COLOR_KEYS = {"rgb_color", "color_temp_kelvin"}


async def async_setup_platform(
    hass: HomeAssistant,
    config: ConfigType,
    async_add_entities: AddEntitiesCallback,
    discovery_info: DiscoveryInfoType | None = None,
) -> None:
    """Add the home's lights."""
    add_fixture_entities(async_add_entities, discovery_info, FixtureLight)


def _initial_color_mode(attributes: dict[str, Any]) -> ColorMode:
    """Pick the colour mode the attributes describe."""
    if attributes.get("color") or attributes.keys() & COLOR_KEYS:
        # RGB rather than HS, so an rgb_color set by a service reads back unchanged.
        if "rgb_color" in attributes and "color_temp_kelvin" not in attributes:
            return ColorMode.RGB
        return ColorMode.COLOR_TEMP
    if attributes.get("dimmable") or "brightness" in attributes:
        return ColorMode.BRIGHTNESS
    return ColorMode.ONOFF


class FixtureLight(FixtureEntity, LightEntity):
    """An in-memory light."""

    _attr_min_color_temp_kelvin = MIN_KELVIN
    _attr_max_color_temp_kelvin = MAX_KELVIN

    def __init__(self, spec: EntitySpec) -> None:
        """Set up modes and the initial state from the spec."""
        super().__init__(spec)
        attributes = dict(spec.attributes)
        mode = _initial_color_mode(attributes)
        self._attr_color_mode = mode
        self._attr_supported_color_modes = (
            {ColorMode.RGB, ColorMode.COLOR_TEMP} if mode in (ColorMode.RGB, ColorMode.COLOR_TEMP) else {mode}
        )
        self._attr_is_on = spec.state == STATE_ON
        if mode != ColorMode.ONOFF:
            self._attr_brightness = attributes.get("brightness", 255)
        if ColorMode.RGB in self._attr_supported_color_modes:
            self._attr_rgb_color = attributes.get("rgb_color", (255, 255, 255))
            self._attr_color_temp_kelvin = attributes.get("color_temp_kelvin", DEFAULT_KELVIN)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn on, applying whatever the light service already converted for us."""
        self._attr_is_on = True
        if ATTR_BRIGHTNESS in kwargs:
            self._attr_brightness = kwargs[ATTR_BRIGHTNESS]
        if ATTR_RGB_COLOR in kwargs:
            self._attr_rgb_color = kwargs[ATTR_RGB_COLOR]
            self._attr_color_mode = ColorMode.RGB
        if ATTR_COLOR_TEMP_KELVIN in kwargs:
            self._attr_color_temp_kelvin = kwargs[ATTR_COLOR_TEMP_KELVIN]
            self._attr_color_mode = ColorMode.COLOR_TEMP
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn off; brightness and colour are kept for the next turn on."""
        self._attr_is_on = False
        self.async_write_ha_state()
