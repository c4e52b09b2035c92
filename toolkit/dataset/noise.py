"""How people really say it: fillers, politeness, speech-to-text lower case without punctuation,
dropped little words and homophones. Only words outside device, area and number names change."""

from __future__ import annotations

import random
import re

FILLERS = ("hey ", "um ", "uh ", "ok ", "so ", "could you ", "can you please ", "please ", "would you ")
POLITE_ENDS = (" please", " thanks", " thank you", " for me", " now")
DROPPABLE = ("the ", "my ")
HOMOPHONES = ((" to ", " too "), (" for ", " four "), (" right ", " write "))


def noisy(rng: random.Random, text: str, kind: str) -> tuple[str, str]:
    """The request as a person (or speech-to-text) might put it, and the name of the change ("" for none)."""
    roll = rng.random()
    if roll < 0.25:
        return text, ""
    if roll < 0.45 and kind == "call":
        return rng.choice(FILLERS) + text.rstrip("?"), "filler"
    if roll < 0.55 and kind == "call":
        return text.rstrip("?") + rng.choice(POLITE_ENDS), "polite"
    if roll < 0.7:
        return re.sub(r"[^\w\s%']", "", text).lower(), "asr"
    if roll < 0.85:
        dropped = rng.choice(DROPPABLE)
        return text.replace(dropped, "", 1), "dropped_word" if dropped in text else ""
    old, new = rng.choice(HOMOPHONES)
    changed = f" {text} ".replace(old, new, 1).strip()
    return (changed, "homophone") if changed != text else (text.capitalize(), "")
