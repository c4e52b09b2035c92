"""Fixture covers: garage doors, blinds, windows... that move instantly."""

from __future__ import annotations

from typing import Any

from homeassistant.components.cover import (
    ATTR_POSITION,
    CoverEntity,
    CoverEntityFeature,
    CoverState,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType

from .entity import EntitySpec, FixtureEntity, add_fixture_entities

FULLY_OPEN = 100
FULLY_CLOSED = 0


async def async_setup_platform(
    hass: HomeAssistant,
    config: ConfigType,
    async_add_entities: AddEntitiesCallback,
    discovery_info: DiscoveryInfoType | None = None,
) -> None:
    """Add the home's covers."""
    add_fixture_entities(async_add_entities, discovery_info, FixtureCover)


class FixtureCover(FixtureEntity, CoverEntity):
    """An in-memory cover whose state (open/closed) follows its position."""

    _attr_supported_features = (
        CoverEntityFeature.OPEN | CoverEntityFeature.CLOSE | CoverEntityFeature.STOP | CoverEntityFeature.SET_POSITION
    )

    def __init__(self, spec: EntitySpec) -> None:
        """Set device class and position; an explicit position wins over the state."""
        super().__init__(spec)
        self._attr_device_class = spec.attributes.get("device_class")
        default = FULLY_OPEN if spec.state == CoverState.OPEN else FULLY_CLOSED
        self._set_position(spec.attributes.get("position", default))

    def _set_position(self, position: int) -> None:
        """Move to a position; HA derives open/closed from is_closed."""
        self._attr_current_cover_position = position
        self._attr_is_closed = position == FULLY_CLOSED

    async def async_open_cover(self, **kwargs: Any) -> None:
        """Open fully."""
        self._set_position(FULLY_OPEN)
        self.async_write_ha_state()

    async def async_close_cover(self, **kwargs: Any) -> None:
        """Close fully."""
        self._set_position(FULLY_CLOSED)
        self.async_write_ha_state()

    async def async_set_cover_position(self, **kwargs: Any) -> None:
        """Move to the requested position."""
        self._set_position(kwargs[ATTR_POSITION])
        self.async_write_ha_state()

    async def async_stop_cover(self, **kwargs: Any) -> None:
        """Accept stop; movement is instant, so there is never anything to stop."""
        self.async_write_ha_state()
