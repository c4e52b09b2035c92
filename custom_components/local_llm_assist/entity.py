"""What this integration's entities share: the entry's device and its runtime."""

from __future__ import annotations

from homeassistant.helpers.entity import Entity

from .const import DOMAIN
from .runtime import LocalLlmConfigEntry, LocalLlmRuntime


class LocalLlmEntity(Entity):
    """An entity of one config entry, on that entry's device.

    The agent and the speech-to-text entity share the device, so the UI shows one
    "Local LLM Assist" with its two voices.
    """

    _attr_has_entity_name = True
    _attr_name = None

    def __init__(self, entry: LocalLlmConfigEntry, unique_id: str) -> None:
        self.entry = entry
        self._attr_unique_id = unique_id
        self._attr_device_info = {"identifiers": {(DOMAIN, entry.entry_id)}, "name": entry.title}

    @property
    def runtime(self) -> LocalLlmRuntime:
        return self.entry.runtime_data
