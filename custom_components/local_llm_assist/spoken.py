"""Translated sentences the agent speaks when it cannot or need not ask the model.

They live in strings.json under `exceptions`: Home Assistant's translation files accept a fixed
set of sections (hassfest's schema for strings.json refuses any other), and `exceptions` is the
one whose entries are free sentences with placeholders.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.translation import async_get_translations

from .const import DOMAIN


async def async_sentence(hass: HomeAssistant, language: str | None, key: str, **placeholders: str) -> str:
    """The `exceptions.<key>` sentence in the user's language (English if it has none)."""
    translation_key = f"component.{DOMAIN}.exceptions.{key}.message"
    for candidate in (language or "en", "en"):
        translations = await async_get_translations(hass, candidate, "exceptions", {DOMAIN})
        if template := translations.get(translation_key):
            return str(template).format_map(_Placeholders(placeholders))
    return key


class _Placeholders(dict[str, str]):
    """Leaves a placeholder empty rather than failing a turn over a missing value."""

    def __missing__(self, key: str) -> str:
        return ""
