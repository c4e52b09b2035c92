"""What was played for whom: the favourite ("the song she asks for five times a day") and the last.

Plays are counted per listener key: a speaker or satellite ("device:<id>"), a person
("user:<id>") or a media player ("player:<entity id>") when the request came from neither.
Requests are matched case-insensitively, so "Baby Shark" and "baby shark" are one favourite.
The data is plain JSON, so Home Assistant's storage can persist it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MAX_TITLES_PER_LISTENER = 200  # the least played are forgotten first


@dataclass
class PlayCount:
    title: str  # as last requested
    count: int
    last_played: float  # a timestamp; only the order matters


class MusicMemory:
    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self._listeners: dict[str, dict[str, PlayCount]] = {
            listener: {key: PlayCount(**play) for key, play in plays.items()}
            for listener, plays in (data or {}).get("listeners", {}).items()
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "listeners": {
                listener: {key: vars(play) for key, play in plays.items()}
                for listener, plays in self._listeners.items()
            }
        }

    def record(self, listeners: Iterable[str], title: str, when: float) -> None:
        key = title.casefold().strip()
        for listener in listeners:
            plays = self._listeners.setdefault(listener, {})
            previous = plays.get(key)
            plays[key] = PlayCount(title, (previous.count if previous else 0) + 1, when)
            if len(plays) > MAX_TITLES_PER_LISTENER:
                del plays[min(plays, key=lambda k: (plays[k].count, plays[k].last_played))]

    def favourite(self, listeners: Iterable[str]) -> str | None:
        """The most requested title of the first listener that has any (ties: the more recent)."""
        return self._best(listeners, lambda play: (play.count, play.last_played))

    def last(self, listeners: Iterable[str]) -> str | None:
        """The title played most recently for the first listener that has any."""
        return self._best(listeners, lambda play: (play.last_played, play.count))

    def _best(self, listeners: Iterable[str], rank: Any) -> str | None:
        for listener in listeners:
            if plays := self._listeners.get(listener):
                return max(plays.values(), key=rank).title
        return None

    def clear(self, listener: str | None = None) -> None:
        """Forget one listener, or everyone."""
        if listener is None:
            self._listeners.clear()
        else:
            self._listeners.pop(listener, None)
