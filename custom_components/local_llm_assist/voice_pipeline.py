"""The ready-made Assist pipeline "Local LLM Assist": our speech-to-text and our agent.

Created once, the first time the integration is set up with a speech model, with "prefer
handling commands locally" on: Home Assistant's sentence matcher answers the commands it knows
in milliseconds and the model answers the rest. A pipeline that already pairs our two entities
is reused, and no other pipeline is ever changed: whatever the user made stays as it is.
"""

from __future__ import annotations

from homeassistant.components import assist_pipeline, tts
from homeassistant.components.assist_pipeline import Pipeline
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .const import CONF_PIPELINE_ID, DOMAIN, LOGGER, PIPELINE_NAME
from .runtime import LocalLlmConfigEntry
from .stt import unique_id as stt_unique_id


async def async_ensure_pipeline(hass: HomeAssistant, entry: LocalLlmConfigEntry) -> str | None:
    """The id of our pipeline, creating it on first set-up; None when there is none."""
    if CONF_PIPELINE_ID in entry.data:
        return str(entry.data[CONF_PIPELINE_ID])  # created before: the user may have changed or removed it
    if "assist_pipeline" not in hass.config.components:
        return None
    registry = er.async_get(hass)
    stt_id = registry.async_get_entity_id("stt", DOMAIN, stt_unique_id(entry))
    agent_id = registry.async_get_entity_id("conversation", DOMAIN, entry.entry_id)
    if stt_id is None or agent_id is None:
        return None
    pipeline = _pipeline_using(hass, stt_id, agent_id) or await _async_create(hass, stt_id, agent_id)
    if pipeline is None:
        return None
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PIPELINE_ID: pipeline.id})
    return pipeline.id


def _pipeline_using(hass: HomeAssistant, stt_id: str, agent_id: str) -> Pipeline | None:
    return next(
        (
            pipeline
            for pipeline in assist_pipeline.async_get_pipelines(hass)
            if pipeline.stt_engine == stt_id and pipeline.conversation_engine == agent_id
        ),
        None,
    )


async def _async_create(hass: HomeAssistant, stt_id: str, agent_id: str) -> Pipeline | None:
    # Home Assistant fills in languages and the text-to-speech engine the way it does for its
    # own default pipeline; without any TTS engine the pipeline simply has none (None is what
    # that lookup resolves to, hence the ignore).
    pipeline = await assist_pipeline.async_create_default_pipeline(
        hass,
        stt_engine_id=stt_id,
        tts_engine_id=tts.async_default_engine(hass),  # type: ignore[arg-type]
        pipeline_name=PIPELINE_NAME,
    )
    if pipeline is None:
        LOGGER.warning(
            "No %r Assist pipeline was created: the speech model does not support %s",
            PIPELINE_NAME,
            hass.config.language,
        )
        return None
    await assist_pipeline.async_update_pipeline(hass, pipeline, conversation_engine=agent_id, prefer_local_intents=True)
    return pipeline
