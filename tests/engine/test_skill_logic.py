"""Pure parts of the skills: day phrases, feed parsing, the music memory."""

from __future__ import annotations

from datetime import date

import pytest

from custom_components.local_llm_assist.skills.music.memory import MusicMemory
from custom_components.local_llm_assist.skills.news.feeds import MAX_FEED_BYTES, FeedError, parse_headlines
from custom_components.local_llm_assist.skills.time_date.days import resolve_day

FRIDAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("today", FRIDAY),
        ("tomorrow", date(2026, 11, 28)),
        ("the day after tomorrow", date(2026, 11, 29)),
        ("next Friday", date(2026, 12, 4)),  # on a Friday, "next Friday" is a week ahead
        ("friday", date(2026, 12, 4)),
        ("this friday", FRIDAY),
        ("last friday", date(2026, 11, 20)),
        ("what day is next monday", date(2026, 11, 30)),
        ("in 3 days", date(2026, 11, 30)),
        ("two weeks from now", date(2026, 12, 11)),
        ("3 days ago", date(2026, 11, 24)),
        ("next week", date(2026, 12, 4)),
        ("the twelfth of never", None),
        ("in 100000 days", None),
    ],
)
def test_day_phrases(phrase: str, expected: date | None) -> None:
    assert resolve_day(phrase, FRIDAY) == expected


def test_rss_and_atom_headlines() -> None:
    rss = b"<rss version='2.0'><channel><item><title> Rain\n expected </title></item><item><title/></item>"
    rss += b"<item><title>Second</title></item></channel></rss>"
    assert parse_headlines(rss, 5) == ["Rain expected", "Second"]
    atom = b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>One</title></entry>"
    atom += b"<entry><title>Two</title></entry></feed>"
    assert parse_headlines(atom, 1) == ["One"]


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (b"<rss><channel><item><title>open", "feed_malformed"),
        (
            b"<!DOCTYPE x [<!ENTITY a 'b'>]><rss><channel><item><title>&a;</title></item></channel></rss>",
            "feed_malformed",
        ),
        (b'<!DOCTYPE x SYSTEM "file:///etc/passwd"><rss/>', "feed_malformed"),
        (b"<html><body/></html>", "feed_malformed"),
        (b"<rss>" + b" " * MAX_FEED_BYTES + b"</rss>", "feed_too_large"),
    ],
)
def test_bad_feeds_are_refused(document: bytes, code: str) -> None:
    with pytest.raises(FeedError) as raised:
        parse_headlines(document, 5)
    assert raised.value.code == code


def test_favourite_and_last_per_listener() -> None:
    memory = MusicMemory()
    for when, title in enumerate(["Baby Shark", "Let It Go", "baby shark", "Baby Shark", "Let It Go"]):
        memory.record(["device:kids_room"], title, float(when))
    memory.record(["user:dad", "device:kitchen"], "Jazz", 10.0)
    assert memory.favourite(["device:kids_room"]) == "Baby Shark"
    assert memory.last(["device:kids_room"]) == "Let It Go"
    assert memory.favourite(["user:mum", "device:kitchen"]) == "Jazz"  # no plays for mum: the speaker's
    assert memory.favourite(["user:nobody"]) is None
    restored = MusicMemory(memory.as_dict())
    assert restored.as_dict() == memory.as_dict()
    restored.clear("device:kids_room")
    assert restored.favourite(["device:kids_room"]) is None
    assert restored.favourite(["user:dad"]) == "Jazz"
    restored.clear()
    assert restored.as_dict() == {"listeners": {}}
