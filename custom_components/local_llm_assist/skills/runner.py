"""Running a skill: validate the arguments (model output is data), run it, announce it on the bus."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.core import HomeAssistant

from ..const import EVENT_SKILL_EXECUTED
from .base import Skill, SkillOrigin


class InvalidSkillArguments(Exception):
    """The arguments do not fit the skill's schema; the message says which."""


async def async_run_skill(
    hass: HomeAssistant, skill: Skill, arguments: dict[str, Any], origin: SkillOrigin
) -> dict[str, Any]:
    """The skill's result ({skill, success, speech, data}); fires EVENT_SKILL_EXECUTED."""
    try:
        validated = skill.parameters(arguments)
    except vol.Invalid as err:
        raise InvalidSkillArguments(str(err)) from err
    reply = await skill.async_run(hass, validated, origin)
    result = {"skill": skill.name, "success": reply.success, "speech": reply.speech, "data": reply.data}
    hass.bus.async_fire(
        EVENT_SKILL_EXECUTED,
        {
            "skill": skill.name,
            "arguments": validated,
            "result": result,
            "device_id": origin.device_id,
            "conversation_id": origin.conversation_id,
        },
        context=origin.context,
    )
    return result


def spoken_reply(result: Any) -> str | None:
    """The sentence a skill result asks the agent to say, if the result is one of ours.

    `result` is what `compat.tool_result_data` read, already unwrapped on every version.
    """
    if isinstance(result, dict) and "skill" in result and isinstance(speech := result.get("speech"), str):
        return speech
    return None
