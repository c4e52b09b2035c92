"""Built-in skills: Home Assistant LLM tools of our own, also runnable from automations.

Each file holds one skill (music: two tools). The registry below lists them; `api.py` offers the
enabled ones to agents as an LLM API next to Assist, `runner.py` runs one and announces it.
"""

from __future__ import annotations

from .base import Skill
from .calculator import CalculateSkill
from .music import PlayMusicSkill, PlayRememberedMusicSkill
from .news import GetNewsSkill
from .time_date import GetDateSkill, GetTimeSkill
from .weather import GetWeatherSkill

SKILLS: tuple[Skill, ...] = (
    GetWeatherSkill(),
    CalculateSkill(),
    GetTimeSkill(),
    GetDateSkill(),
    GetNewsSkill(),
    PlayMusicSkill(),
    PlayRememberedMusicSkill(),
)


def skill_named(name: str) -> Skill | None:
    return next((skill for skill in SKILLS if skill.name == name), None)
