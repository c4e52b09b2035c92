"""Actions for automations and scripts: run a skill (with response data), clear the music memory."""

from __future__ import annotations

import voluptuous as vol
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from .const import DOMAIN
from .skills.base import SkillOrigin
from .skills.music.tool import music_memory
from .skills.registry import skill_named
from .skills.runner import InvalidSkillArguments, async_run_skill
from .skills.settings import enabled_features

SERVICE_RUN_SKILL = "run_skill"
SERVICE_CLEAR_MUSIC_MEMORY = "clear_music_memory"
ATTR_SKILL = "skill"
ATTR_ARGUMENTS = "arguments"

RUN_SKILL_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_SKILL): cv.string,
        vol.Optional(ATTR_ARGUMENTS, default=dict): vol.Schema({}, extra=vol.ALLOW_EXTRA),
    }
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    hass.services.async_register(
        DOMAIN, SERVICE_RUN_SKILL, _async_run_skill, schema=RUN_SKILL_SCHEMA, supports_response=SupportsResponse.ONLY
    )
    hass.services.async_register(DOMAIN, SERVICE_CLEAR_MUSIC_MEMORY, _async_clear_music_memory, schema=vol.Schema({}))


async def _async_run_skill(call: ServiceCall) -> ServiceResponse:
    hass = call.hass
    name = call.data[ATTR_SKILL]
    skill = skill_named(name)
    if skill is None or skill.feature not in enabled_features(hass):
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="unknown_skill", translation_placeholders={"skill": name}
        )
    origin = SkillOrigin(language=hass.config.language, context=call.context)
    try:
        return await async_run_skill(hass, skill, dict(call.data[ATTR_ARGUMENTS]), origin)
    except InvalidSkillArguments as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_skill_arguments",
            translation_placeholders={"skill": name, "error": str(err)},
        ) from err


async def _async_clear_music_memory(call: ServiceCall) -> None:
    store = music_memory(call.hass)
    (await store.async_load()).clear()
    await store.async_save()
