"""Requests for the skills (weather, time, date, calculator, news, music) and the user's scripts."""

from __future__ import annotations

import random
from typing import Any

from .homes import Home
from .request import Request, call, pick, said_name

CALCULATIONS = (
    ("what is {a} times {b}", "{a} times {b}"), ("what's {a} plus {b}", "{a} plus {b}"),
    ("how much is {a} minus {b}", "{a} minus {b}"), ("what is {a} divided by {b}", "{a} divided by {b}"),
    ("calculate {a} percent of {b}", "{a} percent of {b}"), ("what's the square root of {b}", "square root of {b}"),
)  # fmt: skip
WEATHER = (
    ("what's the weather like", None), ("what's the weather today", "today"), ("will it rain tomorrow", "tomorrow"),
    ("how's the weather looking this week", "week"), ("do i need an umbrella today", "today"),
    ("what's the forecast for tomorrow", "tomorrow"), ("is it cold outside", None),
)  # fmt: skip
TIME = ("what time is it", "what's the time", "tell me the time", "do you know what time it is")
DATES = (("what's the date today", None), ("what day is it", None), ("what's the date next friday", "next friday"),
         ("what date is it in 3 days", "in 3 days"), ("what's the date tomorrow", "tomorrow"))  # fmt: skip
NEWS = ("what's in the news", "read me the news", "any news today", "give me the headlines")
MUSIC = ("jazz", "the rolling stones", "some relaxing piano", "taylor swift", "classical music", "my workout playlist",
         "bob marley", "lo-fi beats", "abba")  # fmt: skip


def skill(rng: random.Random, home: Home) -> Request | None:
    kind = rng.choice(("weather", "time", "date", "calculator", "news", "music", "favourite"))
    if kind == "weather":
        if not home.has_weather:
            return None
        text, when = rng.choice(WEATHER)
        return Request("skill_weather", "call", text, call("GetWeather", **_given(when=when)))
    if kind == "time":
        return Request("skill_time", "call", rng.choice(TIME), call("GetTime"))
    if kind == "date":
        text, day = rng.choice(DATES)
        return Request("skill_date", "call", text, call("GetDate", **_given(day=day)))
    if kind == "calculator":
        template, expression = rng.choice(CALCULATIONS)
        a, b = rng.randint(2, 99), rng.choice((4, 9, 16, 25, 12, 40, 81, 150))
        return Request(
            "skill_calculator",
            "call",
            template.format(a=a, b=b),
            call("Calculate", expression=expression.format(a=a, b=b)),
        )
    if kind == "news":
        return Request("skill_news", "call", rng.choice(NEWS), call("GetNews"))
    return _music(rng, home, kind)


def _music(rng: random.Random, home: Home, kind: str) -> Request | None:
    players = [e for e in home.exposed("media_player") if e.attributes.get("device_class") == "speaker"]
    if not home.exposed("media_player"):
        return None
    player = pick(rng, players) if rng.random() < 0.5 else None
    on = {"player": player.name} if player else {}
    where = f" on the {said_name(rng, player)}" if player else ""
    if kind == "favourite":
        text = rng.choice(("play my favourite song", "put on my favorite track", "play my favourite")) + where
        return Request("skill_music", "call", text, call("PlayRememberedMusic", which="favourite", **on))
    query = rng.choice(MUSIC)
    text = rng.choice(("play {q}", "put on {q}", "i want to hear {q}")).format(q=query) + where
    return Request("skill_music", "call", text, call("PlayMusic", query=query, **on))


def _given(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def script(rng: random.Random, home: Home) -> Request | None:
    """A user's script is a tool of its own; its result goes back to the model, which says it ran."""
    chosen = pick(rng, home.scripts)
    if chosen is None:
        return None
    text = rng.choice((chosen.request, f"please {chosen.request}", f"can you {chosen.request}"))
    return Request("script", "call", text, call(chosen.id), then=lambda _result: f"{chosen.name} is running.")
