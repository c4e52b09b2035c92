"""Time and date in the home's time zone, including days like "next Friday"."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ...engine.data import ToolExample
from ...spoken import async_sentence
from ..base import Skill, SkillOrigin, SkillReply
from .days import resolve_day


class GetTimeSkill(Skill):
    name = "GetTime"
    examples = (ToolExample(name, "what time is it?"),)
    feature = "time_date"
    description = "Tells the current time."

    async def async_run(self, hass: HomeAssistant, arguments: dict[str, Any], origin: SkillOrigin) -> SkillReply:
        now = dt_util.now()
        spoken = f"{now.hour % 12 or 12}:{now.minute:02d} {'AM' if now.hour < 12 else 'PM'}"
        speech = await async_sentence(hass, origin.language, "time_now", time=spoken)
        return SkillReply(speech, {"time": now.strftime("%H:%M"), "time_zone": str(now.tzinfo)})


class GetDateSkill(Skill):
    name = "GetDate"
    examples = (ToolExample(name, "what's the date on monday?", {"day": "monday"}),)
    feature = "time_date"
    description = "Tells the date and weekday of today or of a day like tomorrow, next friday, in 3 days."
    parameters = vol.Schema(
        {vol.Optional("day", description="the day asked about, e.g. next friday; leave out for today"): str}
    )

    async def async_run(self, hass: HomeAssistant, arguments: dict[str, Any], origin: SkillOrigin) -> SkillReply:
        phrase = arguments.get("day") or "today"
        day = resolve_day(phrase, dt_util.now().date())
        if day is None:
            return await self.async_fail(hass, origin, "date_not_understood", day=phrase)
        spoken = f"{day.strftime('%A, %B')} {day.day}, {day.year}"
        speech = await async_sentence(hass, origin.language, "date_answer", date=spoken)
        return SkillReply(speech, {"day": phrase, "date": day.isoformat(), "weekday": day.strftime("%A")})
