"""Which calendar day a spoken phrase means: "tomorrow", "next Friday", "in 3 days"."""

from __future__ import annotations

import re
from datetime import date, timedelta

from ...engine.text import DAY_COUNT_WORDS, NOT_DAY_WORDS, normalize

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_FIXED = {"today": 0, "now": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1, "day after tomorrow": 2,
          "the day after tomorrow": 2, "day before yesterday": -2, "next week": 7, "last week": -7}  # fmt: skip
_RELATIVE = re.compile(r"^(?:in )?(\w+) (day|week)s?(?: from (?:now|today))?$")
_AGO = re.compile(r"^(\w+) (day|week)s? ago$")
_WEEKDAY = re.compile(rf"^(next |this |last |on )?({'|'.join(WEEKDAYS)})$")
_FILLER = re.compile(rf"\b({'|'.join(NOT_DAY_WORDS)})\b")


def resolve_day(phrase: str, today: date) -> date | None:
    """The day meant, or None when the phrase names no day we understand.

    "Friday" and "next Friday" both mean the first Friday after today (a week ahead on a Friday);
    "this Friday" may be today; "last Friday" is the most recent one before today.
    """
    text = normalize(phrase)
    if text in _FIXED:
        return today + timedelta(days=_FIXED[text])
    text = " ".join(word for word in _FILLER.sub(" ", text).split())
    if not text:  # only question words ("what day is it"): today
        return today
    if text in _FIXED:
        return today + timedelta(days=_FIXED[text])
    if match := _WEEKDAY.match(text):
        return _weekday(today, match.group(1), WEEKDAYS.index(match.group(2)))
    for pattern, sign in ((_RELATIVE, 1), (_AGO, -1)):
        if (match := pattern.match(text)) and (count := _count(match.group(1))) is not None:
            return today + timedelta(days=sign * count * (7 if match.group(2) == "week" else 1))
    return None


def _weekday(today: date, qualifier: str | None, weekday: int) -> date:
    ahead = (weekday - today.weekday()) % 7
    if qualifier == "last ":
        return today - timedelta(days=(today.weekday() - weekday) % 7 or 7)
    if qualifier == "this ":
        return today + timedelta(days=ahead)
    return today + timedelta(days=ahead or 7)


def _count(word: str) -> int | None:
    if word.isdigit():
        return int(word) if int(word) <= 3650 else None
    return DAY_COUNT_WORDS.get(word)
