"""Calculator: arithmetic as people say it, computed by our own parser (arithmetic.py)."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.core import HomeAssistant

from ...engine.data import ToolExample
from ...spoken import async_sentence
from ..base import Skill, SkillOrigin, SkillReply
from .arithmetic import MAX_TOKENS, CalculatorError, calculate

EXPRESSION_HELP = "the calculation as the user said it, e.g. 15 percent of 80"


class CalculateSkill(Skill):
    name = "Calculate"
    examples = (ToolExample(name, "how much is 20 percent of 50?", {"expression": "20 percent of 50"}),)
    feature = "calculator"
    description = (
        "Calculates arithmetic: plus, minus, times, divided by, percent of, powers, square roots. "
        "Use it for every math question."
    )
    parameters = vol.Schema(
        {vol.Required("expression", description=EXPRESSION_HELP): vol.All(str, vol.Length(min=1, max=MAX_TOKENS * 8))}
    )

    async def async_run(self, hass: HomeAssistant, arguments: dict[str, Any], origin: SkillOrigin) -> SkillReply:
        try:
            result = calculate(arguments["expression"])
        except CalculatorError as err:
            return await self.async_fail(hass, origin, err.code)
        speech = await async_sentence(hass, origin.language, "calculator_result", result=result.spoken)
        return SkillReply(speech, {"expression": result.expression, "result": result.spoken})
