"""Every built-in skill, in the order the model is shown them and their worked examples."""

from __future__ import annotations

from ..engine.data import ToolExample
from .base import Skill
from .calculator.tool import CalculateSkill
from .music.tool import PlayMusicSkill, PlayRememberedMusicSkill
from .news.tool import GetNewsSkill
from .time_date.tool import GetDateSkill, GetTimeSkill
from .weather.tool import GetWeatherSkill

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


def tool_examples() -> list[ToolExample]:
    """The skills' worked examples for the prompt; each is shown only when its tool is offered."""
    return [example for skill in SKILLS for example in skill.examples]
