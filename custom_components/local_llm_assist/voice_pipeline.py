"""The ready-made Assist pipeline "Local LLM Assist": local speech-to-text and our agent.

The speech-to-text is ours when the entry has a speech model, else the local one Home Assistant
already has: a Wyoming speech-to-text entity (the Whisper or Speech-to-Phrase add-on on Home
Assistant OS, or any Wyoming server). A cloud speech-to-text is never chosen: the point of this
pipeline is that nothing leaves the house. Created once, the first time the integration is set up
with such a speech-to-text, with "prefer handling commands locally" on: Home Assistant's sentence
matcher answers the commands it knows in milliseconds and the model answers the rest. A pipeline
that already pairs the two entities is reused, and no other pipeline is ever changed: whatever
the user made stays as it is.
"""

from __future__ import annotations

from homeassistant.components import assist_pipeline, tts
from homeassistant.components.assist_pipeline import Pipeline
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .const import CONF_PIPELINE_ID, DOMAIN, LOGGER, PIPELINE_NAME
from .runtime import LocalLlmConfigEntry
from .stt import unique_id as stt_unique_id

WYOMING = "wyoming"  # Home Assistant's integration for Wyoming speech servers


async def async_ensure_pipeline(hass: HomeAssistant, entry: LocalLlmConfigEntry) -> str | None:
    """The id of our pipeline, creating it on first set-up; None when there is none."""
    if CONF_PIPELINE_ID in entry.data:
        return str(entry.data[CONF_PIPELINE_ID])  # created before: the user may have changed or removed it
    if "assist_pipeline" not in hass.config.components:
        return None
    registry = er.async_get(hass)
    stt_id = registry.async_get_entity_id("stt", DOMAIN, stt_unique_id(entry)) or _local_stt(registry)
    agent_id = registry.async_get_entity_id("conversation", DOMAIN, entry.entry_id)
    if stt_id is None or agent_id is None:
        return None
    pipeline = _pipeline_using(hass, stt_id, agent_id) or await _async_create(hass, stt_id, agent_id)
    if pipeline is None:
        return None
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PIPELINE_ID: pipeline.id})
    return pipeline.id


def _local_stt(registry: er.EntityRegistry) -> str | None:
    """A Wyoming speech-to-text entity, if Home Assistant has one (the first set up, for a stable choice)."""
    candidates = [
        entity
        for entity in registry.entities.values()
        if entity.domain == "stt" and entity.platform == WYOMING and entity.disabled_by is None
    ]
    return min(candidates, key=lambda entity: entity.created_at).entity_id if candidates else None


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
            "No %r Assist pipeline was created: the speech-to-text %s is not loaded or does not support %s",
            PIPELINE_NAME,
            stt_id,
            hass.config.language,
        )
        return None
    await assist_pipeline.async_update_pipeline(hass, pipeline, conversation_engine=agent_id, prefer_local_intents=True)
    return pipeline
