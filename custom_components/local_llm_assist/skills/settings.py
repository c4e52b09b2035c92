"""The skill settings in the agents' options: which skills are on, which news feeds.

Every configured (not disabled) agent counts, loaded or not: an automation that runs a skill
should not depend on whether a model file loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.core import HomeAssistant

from ..const import CONF_NEWS_FEEDS, CONF_SKILLS, DOMAIN

FEATURES = ("weather", "calculator", "time_date", "news", "music")


def enabled_features(hass: HomeAssistant) -> set[str]:
    """Skills on in any agent; all of them when no agent is configured (automations only)."""
    entries = _configured_entries(hass)
    if not entries:
        return set(FEATURES)
    return {feature for options in entries for feature in options.get(CONF_SKILLS, FEATURES)}


def news_feeds(hass: HomeAssistant) -> list[str]:
    feeds = [str(url).strip() for options in _configured_entries(hass) for url in options.get(CONF_NEWS_FEEDS, [])]
    return list(dict.fromkeys(url for url in feeds if url))


def _configured_entries(hass: HomeAssistant) -> list[Mapping[str, Any]]:
    return [entry.options for entry in hass.config_entries.async_entries(DOMAIN) if entry.disabled_by is None]
