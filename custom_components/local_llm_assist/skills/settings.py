"""The skill settings of the loaded agents (their options): which skills are on, which news feeds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from ..const import CONF_NEWS_FEEDS, CONF_SKILLS, DOMAIN

FEATURES = ("weather", "calculator", "time_date", "news", "music")


def enabled_features(hass: HomeAssistant) -> set[str]:
    """Skills on in any loaded agent; all of them when no agent is set up (automations only)."""
    entries = _loaded_entries(hass)
    if not entries:
        return set(FEATURES)
    return {feature for options in entries for feature in options.get(CONF_SKILLS, FEATURES)}


def news_feeds(hass: HomeAssistant) -> list[str]:
    feeds = [str(url).strip() for options in _loaded_entries(hass) for url in options.get(CONF_NEWS_FEEDS, [])]
    return list(dict.fromkeys(url for url in feeds if url))


def _loaded_entries(hass: HomeAssistant) -> list[Mapping[str, Any]]:
    return [
        entry.options for entry in hass.config_entries.async_entries(DOMAIN) if entry.state is ConfigEntryState.LOADED
    ]
