"""Fixture locks: locked/unlocked, changed instantly."""

from __future__ import annotations

from typing import Any

from homeassistant.components.lock import LockEntity
from homeassistant.components.lock.const import LockState
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
    """Add the home's locks."""
    add_fixture_entities(async_add_entities, discovery_info, FixtureLock)


class FixtureLock(FixtureEntity, LockEntity):
    """An in-memory lock without intermediate locking/unlocking states."""

    def __init__(self, spec: EntitySpec) -> None:
        """Set the initial state."""
        super().__init__(spec)
        self._attr_is_locked = spec.state == LockState.LOCKED

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock."""
        self._attr_is_locked = True
        self.async_write_ha_state()

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock."""
        self._attr_is_locked = False
        self.async_write_ha_state()
