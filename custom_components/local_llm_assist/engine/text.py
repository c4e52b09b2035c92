"""How the project reads what was said: normalisation, word lists and the small readers built on them.

Every list of words lives here, named by what it is for. Lists that look alike differ on purpose
(the comment above each says why); keep each one's contents when changing another.
"""

from __future__ import annotations

import re
from itertools import pairwise


def normalize(text: str) -> str:
    """Lower-case words separated by single spaces (any script: names need not be English)."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def match_key(text: str) -> str:
    """Text reduced just enough that a transcript and the request made from it compare equal.

    Milder than `normalize`: the speech model's punctuation inside a sentence is kept, only case,
    spacing and the punctuation at its ends differ between the two.
    """
    return " ".join(text.lower().split()).strip(" .?!")


def request_text(text: str) -> str:
    """The request as the model and the matcher read it: no surrounding space, no dangling comma.

    Speech-to-text may end a short command with "," or ";" when it expected more words; a small
    model reads "close the bedroom blinds," as unfinished and guesses another device. Sentence
    ends (. ? !) are kept: they are part of how people write.
    """
    return text.strip().rstrip(" ,;:")


def phrases(text: str) -> set[str]:
    """The text's words and two-word phrases ("this room", "whole house")."""
    words = normalize(text).split()
    return set(words) | {f"{first} {second}" for first, second in pairwise(words)}


# --- Kinds of device -------------------------------------------------------------------------
# Two tables, on purpose not one: a word that may mean a device kind is enough to choose which
# states to show with a question, but not to decide what a command may act on.

# Hinting: words that point at a device type when a question names no device ("are any lights
# on?"). They only choose which states go with the question, so they are generous: a "door" may be
# a lock or a cover.
HINTING_KIND_WORDS: dict[str, set[str]] = {
    "light": {"light", "lights", "lamp", "lamps"},
    "lock": {"lock", "locks", "locked", "door", "doors"},
    "cover": {"cover", "covers", "blind", "blinds", "door", "doors", "garage", "curtain", "curtains", "shade"},
    "climate": {"thermostat", "heating", "temperature", "heat", "cooling"},
    "fan": {"fan", "fans"},
    "switch": {"switch", "switches", "plug"},
    "media_player": {"speaker", "music", "tv", "volume", "playing"},
    "sensor": {"temperature", "humidity", "sensor"},
    "binary_sensor": {"window", "windows", "open", "motion"},
}

# Strict: words for the kinds of devices tools act on; they decide what a command may act on
# (places.py). Words shared by two kinds ("door": a lock or a garage door) or by areas ("garage")
# are left out: they say nothing certain.
STRICT_KIND_WORDS: dict[str, frozenset[str]] = {
    "light": frozenset(
        {"light", "lights", "lamp", "lamps", "lighting", "bulb", "bulbs", "brightness", "color", "colour"}
    ),
    # Not "switch": it is the verb of "switch off the lights".
    "switch": frozenset({"switches", "plug", "plugs", "socket", "sockets", "outlet", "outlets"}),
    "fan": frozenset({"fan", "fans", "ventilator"}),
    "cover": frozenset(
        {"blind", "blinds", "curtain", "curtains", "shade", "shades", "shutter", "shutters", "window", "windows"}
    ),
    "lock": frozenset({"lock", "locks", "deadbolt"}),
    "climate": frozenset({"thermostat", "thermostats", "heating", "temperature", "temp", "heater", "ac"}),
    "media_player": frozenset({"tv", "television", "speaker", "speakers", "music", "player"}),
}
ALL_STRICT_KIND_WORDS = frozenset().union(*STRICT_KIND_WORDS.values())


# --- What a request asks for --------------------------------------------------------------
# Music (skills/music): a small model answers a request it cannot place (another language, only
# emoji) by playing it as a title, so a call to play music stands only when the request says one
# of these words or phrases.
MUSIC_REQUEST_WORDS = frozenset(
    {"play", "playing", "music", "song", "songs", "track", "tracks", "album", "playlist", "listen", "hear"}
    | {"radio", "tune", "tunes", "put on"}
)


# --- Places ----------------------------------------------------------------------------------
# Phrases that mean the satellite's own area.
HERE = frozenset({"here", "this room", "this area", "this space", "our room", "my room", "the room"})
# Words that mean the whole home.
EVERYWHERE = frozenset({"all", "every", "everywhere", "each", "home", "house", "apartment", "flat"})


def says_here(request: str) -> bool:
    """The request names the satellite's own area ("turn on the lights in here")."""
    return bool(phrases(request) & HERE)


# --- Commands in a row ------------------------------------------------------------------------
# Verbs a spoken command starts with: "... and lock the front door" is a second command only if
# what follows the "and" starts with one of these (compound.py).
COMMAND_VERBS = frozenset(
    {"turn", "switch", "lock", "unlock", "open", "close", "shut", "set", "dim", "brighten", "raise", "lower",
     "pause", "resume", "unpause", "play", "stop", "start", "mute", "unmute", "skip", "activate", "deactivate"}
)  # fmt: skip
# Words a command may open with before its verb ("please", "could you", "then").
COMMAND_LEAD_INS = ("please", "also", "then", "now", "and", "could you", "can you", "would you", "will you")
# Words pointing back at something said earlier in the sentence: a part with one cannot stand alone
# ("turn on the fan and set it to high").
BACK_REFERENCES = frozenset({"it", "its", "them", "that", "those", "this", "these", "there"})


# --- Words that carry no meaning for one reader ----------------------------------------------
# Each reader ignores its own set: a word that is noise to one ("off" for the target guard) is
# the point for another.

# The target guard (grounding.py): words that say nothing about which device is meant.
NOT_TARGET_WORDS = frozenset(
    {"the", "a", "an", "my", "to", "in", "on", "off", "of", "and", "please", "turn", "switch", "set", "it"}
)
# Device names (places.py): words that never make a device's name "said" ("the", "of").
NOT_NAME_WORDS = frozenset({"the", "a", "an", "my", "our", "of", "in", "on", "and"})
# The calculator: words around a question that carry no arithmetic ("what is", "calculate").
NOT_ARITHMETIC_WORDS = frozenset(
    {"what", "whats", "what's", "is", "how", "much", "calculate", "compute", "equals", "equal", "the", "please"}
)
# Day phrases (skills/time_date): politeness and question words around the day ("what day is next
# friday"), tried in this order as one regular expression.
NOT_DAY_WORDS = ("what", "which", "day", "date", "is", "it", "will", "be", "was", "the date", "of")


# --- Numbers ---------------------------------------------------------------------------------
# Values a user may say for a setting ("twenty two degrees", "maximum brightness"). Percentages
# at their ends: Home Assistant's own sentences set "the lowest" brightness to 1.
SETTING_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "half": 50, "full": 100,
    "max": 100, "maximum": 100, "highest": 100, "min": 1, "minimum": 1, "lowest": 1,
}  # fmt: skip
# Counts of days or weeks ("in a week", "three days ago"); "a" is one here, never in a setting.
DAY_COUNT_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}


def said_numbers(text: str) -> set[float]:
    """Numbers in the text, as digits or simple English words ("twenty two" → 22)."""
    numbers = {float(value) for value in re.findall(r"\d+(?:\.\d+)?", text)}
    words = normalize(text).split()
    values = [SETTING_NUMBER_WORDS.get(word) for word in words]
    for index, value in enumerate(values):
        if value is None:
            continue
        numbers.add(float(value))
        following = values[index + 1] if index + 1 < len(values) else None
        if value >= 20 and value % 10 == 0 and following is not None and following < 10:
            numbers.add(float(value + following))
    return numbers


# --- Names in text ---------------------------------------------------------------------------


def name_spans(text: str, names: set[str]) -> list[tuple[int, int, str]]:
    """Where each name occurs as whole words in normalised `text`: (start, end, name)."""
    spans = []
    for name in names:
        needle = normalize(name)
        if not needle:
            continue
        for match in re.finditer(rf"(?<!\w){re.escape(needle)}(?!\w)", text):
            spans.append((match.start(), match.end(), name))
    return spans


def mentioned_names(request: str, names: set[str]) -> set[str]:
    """The names said in the request, as whole words."""
    return {name for _, _, name in name_spans(normalize(request), names)}
