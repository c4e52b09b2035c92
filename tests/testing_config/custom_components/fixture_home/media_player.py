"""Fixture media players: transport controls, volume and play_media, all in memory."""

from __future__ import annotations

from typing import Any

from homeassistant.components.media_player import MediaPlayerEntity
from homeassistant.components.media_player.const import (
    MediaPlayerEntityFeature,
    MediaPlayerState,
    MediaType,
)
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
    """Add the home's media players."""
    add_fixture_entities(async_add_entities, discovery_info, FixtureMediaPlayer)


class FixtureMediaPlayer(FixtureEntity, MediaPlayerEntity):
    """An in-memory media player; track changes show up in media_track."""

    _attr_supported_features = (
        MediaPlayerEntityFeature.TURN_ON
        | MediaPlayerEntityFeature.TURN_OFF
        | MediaPlayerEntityFeature.PLAY
        | MediaPlayerEntityFeature.PAUSE
        | MediaPlayerEntityFeature.STOP
        | MediaPlayerEntityFeature.VOLUME_SET
        | MediaPlayerEntityFeature.VOLUME_MUTE
        | MediaPlayerEntityFeature.NEXT_TRACK
        | MediaPlayerEntityFeature.PREVIOUS_TRACK
        | MediaPlayerEntityFeature.PLAY_MEDIA
    )

    def __init__(self, spec: EntitySpec) -> None:
        """Set state, volume and device class from the spec."""
        super().__init__(spec)
        attributes = spec.attributes
        self._attr_state = MediaPlayerState(spec.state)
        self._attr_device_class = attributes.get("device_class")
        self._attr_volume_level = attributes.get("volume_level", 0.5)
        self._attr_is_volume_muted = attributes.get("is_volume_muted", False)
        self._attr_media_title = attributes.get("media_title")

    def _set_state(self, state: MediaPlayerState) -> None:
        """Change the player state and publish it."""
        self._attr_state = state
        self.async_write_ha_state()

    async def async_turn_on(self) -> None:
        """Power on, idle."""
        self._set_state(MediaPlayerState.IDLE)

    async def async_turn_off(self) -> None:
        """Power off."""
        self._set_state(MediaPlayerState.OFF)

    async def async_media_play(self) -> None:
        """Play."""
        self._set_state(MediaPlayerState.PLAYING)

    async def async_media_pause(self) -> None:
        """Pause."""
        self._set_state(MediaPlayerState.PAUSED)

    async def async_media_stop(self) -> None:
        """Stop; the player stays on."""
        self._set_state(MediaPlayerState.IDLE)

    async def async_set_volume_level(self, volume: float) -> None:
        """Set the volume (0..1)."""
        self._attr_volume_level = volume
        self.async_write_ha_state()

    async def async_mute_volume(self, mute: bool) -> None:
        """Mute or unmute."""
        self._attr_is_volume_muted = mute
        self.async_write_ha_state()

    async def async_media_next_track(self) -> None:
        """Skip forward: bump the track number so the change is observable."""
        self._attr_media_track = (self._attr_media_track or 1) + 1
        self._set_state(MediaPlayerState.PLAYING)

    async def async_media_previous_track(self) -> None:
        """Skip back, never below track 1."""
        self._attr_media_track = max(1, (self._attr_media_track or 1) - 1)
        self._set_state(MediaPlayerState.PLAYING)

    async def async_play_media(self, media_type: MediaType | str, media_id: str, **kwargs: Any) -> None:
        """Play anything: record what was asked for and use the id as the title."""
        self._attr_media_content_type = media_type
        self._attr_media_content_id = media_id
        self._attr_media_title = media_id
        self._attr_media_track = 1
        self._set_state(MediaPlayerState.PLAYING)
