"""Repair issues for an engine that keeps failing: raised while it fails, cleared when it works again."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .runtime import LocalLlmConfigEntry


def issue_id(key: str, entry: LocalLlmConfigEntry) -> str:
    return f"{key}_{entry.entry_id}"


def repair_reporter(
    hass: HomeAssistant,
    entry: LocalLlmConfigEntry,
    key: str,
    variant: Callable[[], str | None] | None = None,
    **placeholders: str,
) -> Callable[[bool], None]:
    """A health callback (see engine/worker.py, engine/engines/health.py) that raises or clears issue `key`.

    `variant`, when it names one, picks the issue text `<key>_<variant>` (a crash cause, say).
    """
    issue = issue_id(key, entry)

    @callback
    def report(healthy: bool) -> None:
        if healthy:
            ir.async_delete_issue(hass, DOMAIN, issue)
            return
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue,
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=f"{key}_{kind}" if variant and (kind := variant()) else key,
            translation_placeholders={"title": entry.title, **placeholders},
        )

    return report


@callback
def async_clear_issues(hass: HomeAssistant, entry: LocalLlmConfigEntry, *keys: str) -> None:
    for key in keys:
        ir.async_delete_issue(hass, DOMAIN, issue_id(key, entry))
