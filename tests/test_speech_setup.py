"""Speech settings in the options flow, and the ready Assist pipeline (created once, never overwriting)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from homeassistant.components import assist_pipeline
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.local_llm_assist.const import (
    CONF_PIPELINE_ID,
    CONF_WHISPER_LANGUAGE,
    CONF_WHISPER_MODEL_PATH,
)
from custom_components.local_llm_assist.speech_options import DETECT_LANGUAGE
from toolkit.models import ACCURATE_WHISPER, FAST_WHISPER, SMOKE_LLM

from .helpers import AGENT_ID, async_setup_agent
from .voice import STT_ENTITY, async_setup_voice, our_pipeline_id


async def open_speech_step(hass: HomeAssistant, entry_id: str) -> str:
    result = await hass.config_entries.options.async_init(entry_id)
    assert result["type"] is FlowResultType.MENU
    assert set(result["menu_options"]) == {"agent", "speech", "tracing"}
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"next_step_id": "speech"})
    assert result["step_id"] == "speech"
    return str(result["flow_id"])


async def test_speech_options_offer_only_the_models_languages_and_create_the_entity(home: HomeAssistant) -> None:
    entry = await async_setup_agent(home, SMOKE_LLM)
    assert home.states.get(STT_ENTITY) is None
    flow_id = await open_speech_step(home, entry.entry_id)
    result = await home.config_entries.options.async_configure(flow_id, {CONF_WHISPER_MODEL_PATH: str(FAST_WHISPER)})
    assert result["step_id"] == "speech_language"
    fields = result["data_schema"].schema
    assert fields[CONF_WHISPER_LANGUAGE].config["languages"] == ["en"]  # tiny.en: English only, no detection
    assert DETECT_LANGUAGE not in fields
    result = await home.config_entries.options.async_configure(flow_id, {CONF_WHISPER_LANGUAGE: "en"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await home.async_block_till_done()
    assert entry.options[CONF_WHISPER_MODEL_PATH] == str(FAST_WHISPER)
    assert entry.options["prompt"]  # the agent settings were kept
    assert home.states.get(STT_ENTITY) is not None


async def test_multilingual_model_offers_detection_and_many_languages(home: HomeAssistant) -> None:
    entry = await async_setup_agent(home, SMOKE_LLM)
    flow_id = await open_speech_step(home, entry.entry_id)
    result = await home.config_entries.options.async_configure(
        flow_id, {CONF_WHISPER_MODEL_PATH: str(ACCURATE_WHISPER)}
    )
    fields = result["data_schema"].schema
    # A language selector (the UI names the languages), detection a switch beside it.
    languages = fields[CONF_WHISPER_LANGUAGE].config["languages"]
    assert {"en", "de", "fr", "nl"} <= set(languages) and len(languages) > 90 and "auto" not in languages
    defaults = result["data_schema"]({})
    assert defaults[CONF_WHISPER_LANGUAGE] == "en" and defaults[DETECT_LANGUAGE] is False  # Home Assistant's language
    result = await home.config_entries.options.async_configure(
        flow_id, {DETECT_LANGUAGE: True, CONF_WHISPER_LANGUAGE: "nl"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_WHISPER_LANGUAGE] == "auto"  # what the speech-to-text entity detects with
    await home.async_block_till_done()
    await home.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("make_folder", "error"),
    [
        (lambda tmp: tmp / "nowhere", "whisper_model_not_found"),
        (lambda tmp: tmp, "whisper_model_incomplete"),
        (lambda tmp: corrupt_copy(tmp), "whisper_model_load_failed"),
    ],
    ids=["missing", "not-a-model-folder", "corrupt-model"],
)
async def test_bad_speech_model_folder_shows_an_error_and_changes_nothing(
    home: HomeAssistant, tmp_path: Path, make_folder: object, error: str
) -> None:
    entry = await async_setup_agent(home, SMOKE_LLM)
    options_before = dict(entry.options)
    folder = make_folder(tmp_path)  # type: ignore[operator]
    flow_id = await open_speech_step(home, entry.entry_id)
    result = await home.config_entries.options.async_configure(flow_id, {CONF_WHISPER_MODEL_PATH: str(folder)})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_WHISPER_MODEL_PATH: error}
    assert dict(entry.options) == options_before
    assert home.states.get(STT_ENTITY) is None


def corrupt_copy(tmp: Path) -> Path:
    folder = tmp / "broken-whisper"
    folder.mkdir()
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copy(FAST_WHISPER / name, folder / name)
    (folder / "model.bin").write_bytes(bytes(range(256)) * 64)
    return folder


async def test_empty_folder_turns_speech_off(home: HomeAssistant) -> None:
    entry = await async_setup_voice(home, model_path=SMOKE_LLM)
    flow_id = await open_speech_step(home, entry.entry_id)
    result = await home.config_entries.options.async_configure(flow_id, {CONF_WHISPER_MODEL_PATH: ""})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await home.async_block_till_done()
    assert CONF_WHISPER_MODEL_PATH not in entry.options
    assert home.states.get(STT_ENTITY) is None


async def test_pipeline_is_created_once(home: HomeAssistant) -> None:
    entry = await async_setup_voice(home, model_path=SMOKE_LLM)
    pipeline_id = our_pipeline_id(entry)
    count = len(assist_pipeline.async_get_pipelines(home))
    assert await home.config_entries.async_reload(entry.entry_id)
    await home.async_block_till_done()
    # Even without its record (as after a reconfigure), the pipeline pairing our entities is reused.
    home.config_entries.async_update_entry(entry, data={k: v for k, v in entry.data.items() if k != CONF_PIPELINE_ID})
    await home.async_block_till_done()
    assert our_pipeline_id(entry) == pipeline_id
    assert len(assist_pipeline.async_get_pipelines(home)) == count


async def test_users_pipelines_are_never_changed(home: HomeAssistant, hass_ws_client: WebSocketGenerator) -> None:
    assert await async_setup_component(home, "assist_pipeline", {})
    preferred_before = assist_pipeline.async_get_pipeline(home)
    ws = await hass_ws_client(home)
    # The user's own pipeline, even with our name, is not ours.
    await ws.send_json_auto_id(
        {
            "type": "assist_pipeline/pipeline/create",
            "name": "Local LLM Assist",
            "language": "en",
            "conversation_engine": "conversation.home_assistant",
            "conversation_language": "en",
            "stt_engine": None,
            "stt_language": None,
            "tts_engine": None,
            "tts_language": None,
            "tts_voice": None,
            "wake_word_entity": None,
            "wake_word_id": None,
        }
    )
    created = await ws.receive_json()
    assert created["success"], created
    users_id = created["result"]["id"]
    snapshot_before = {p.id: p.to_json() for p in assist_pipeline.async_get_pipelines(home)}
    entry = await async_setup_voice(home, model_path=SMOKE_LLM)
    ours = assist_pipeline.async_get_pipeline(home, our_pipeline_id(entry))
    assert ours.id != users_id and ours.conversation_engine == AGENT_ID
    after = {p.id: p.to_json() for p in assist_pipeline.async_get_pipelines(home)}
    assert {k: after[k] for k in snapshot_before} == snapshot_before
    assert assist_pipeline.async_get_pipeline(home).id == preferred_before.id  # the preferred one stays
    # The user changes our pipeline: a restart does not change it back.
    await assist_pipeline.async_update_pipeline(home, ours, prefer_local_intents=False)
    assert await home.config_entries.async_reload(entry.entry_id)
    await home.async_block_till_done()
    assert not assist_pipeline.async_get_pipeline(home, ours.id).prefer_local_intents
