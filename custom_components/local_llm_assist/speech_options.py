"""Options step "speech": the faster-whisper model folder, then the languages it really has.

faster-whisper is installed on demand first (local_engine.py). The folder is checked and loaded
once in a throw-away worker before it is saved, which also tells which languages the model
knows: tiny.en only English, base about a hundred, plus "auto" (detect the language) where the
model is multilingual. An empty folder field turns speech off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    BooleanSelector,
    LanguageSelector,
    LanguageSelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
)

from .const import (
    AUTO_LANGUAGE,
    CONF_WHISPER_BEAM_SIZE,
    CONF_WHISPER_HOTWORDS,
    CONF_WHISPER_LANGUAGE,
    CONF_WHISPER_MODEL_PATH,
    CONF_WHISPER_VAD_FILTER,
    DEFAULT_WHISPER_BEAM_SIZE,
    DEFAULT_WHISPER_HOTWORDS,
    DEFAULT_WHISPER_VAD_FILTER,
)
from .engine.data import WhisperSettings
from .engine.errors import EngineError
from .engine.whisper import check_model_folder
from .engine.worker import WorkerClient
from .local_engine import async_install_faster_whisper

SPEECH_SCHEMA = vol.Schema(
    {
        vol.Optional(CONF_WHISPER_MODEL_PATH): TextSelector(),
        vol.Optional(CONF_WHISPER_BEAM_SIZE): NumberSelector(
            NumberSelectorConfig(min=1, max=10, step=1, mode=NumberSelectorMode.BOX)
        ),
        vol.Optional(CONF_WHISPER_VAD_FILTER): BooleanSelector(),
        vol.Optional(CONF_WHISPER_HOTWORDS): BooleanSelector(),
    }
)
SPEECH_DEFAULTS = {
    CONF_WHISPER_BEAM_SIZE: DEFAULT_WHISPER_BEAM_SIZE,
    CONF_WHISPER_VAD_FILTER: DEFAULT_WHISPER_VAD_FILTER,
    CONF_WHISPER_HOTWORDS: DEFAULT_WHISPER_HOTWORDS,
}
DETECT_LANGUAGE = "whisper_detect_language"  # a field of the language form only; saved as language "auto"
SPEECH_KEYS = (CONF_WHISPER_MODEL_PATH, CONF_WHISPER_LANGUAGE, *SPEECH_DEFAULTS)


async def async_whisper_languages(hass: HomeAssistant, path: str) -> list[str]:
    """The model's languages ("auto" first if it can detect them); raises EngineError with a code."""
    await hass.async_add_executor_job(check_model_folder, path)
    client = WorkerClient()
    try:
        loaded = await client.load_whisper(WhisperSettings(model_path=path))
    finally:
        await client.stop()
    languages = [str(language) for language in loaded["languages"]]
    return [AUTO_LANGUAGE, *languages] if loaded["multilingual"] else languages


class SpeechOptionsFlow(OptionsFlow):
    """The speech part of the options: model folder and decoding, then the language."""

    _speech: dict[str, Any]
    _languages: list[str]

    async def async_step_speech(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            path = str(user_input.get(CONF_WHISPER_MODEL_PATH) or "").strip()
            if not path:  # speech off: no speech model, no STT entity
                kept = {k: v for k, v in self.config_entry.options.items() if k not in SPEECH_KEYS}
                return self.async_create_entry(data=kept)
            path = str(Path(path).expanduser())
            if not (errors := await self._async_read_languages(path)):
                self._speech = {**user_input, CONF_WHISPER_MODEL_PATH: path}
                return await self.async_step_speech_language()
        suggested = user_input or {**SPEECH_DEFAULTS, **self.config_entry.options}
        schema = self.add_suggested_values_to_schema(SPEECH_SCHEMA, suggested)
        return self.async_show_form(step_id="speech", data_schema=schema, errors=errors)

    async def _async_read_languages(self, path: str) -> dict[str, str]:
        """Install faster-whisper if needed, then learn the folder's languages; returns the form errors."""
        if error := await async_install_faster_whisper(self.hass):
            return {"base": error}
        try:
            self._languages = await async_whisper_languages(self.hass, path)
        except EngineError as err:
            return {CONF_WHISPER_MODEL_PATH: err.code}
        return {}

    async def async_step_speech_language(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        if user_input is not None:
            detect = user_input.get(DETECT_LANGUAGE, False)
            language = AUTO_LANGUAGE if detect else user_input[CONF_WHISPER_LANGUAGE]
            speech = {**self._speech, CONF_WHISPER_LANGUAGE: language}
            return self.async_create_entry(data={**self.config_entry.options, **speech})
        return self.async_show_form(step_id="speech_language", data_schema=self._language_schema())

    def _language_schema(self) -> vol.Schema:
        """The model's languages in a language selector (the UI shows their names in the user's language).

        Detection is a switch beside it: "auto" is no language, a language selector cannot offer it.
        """
        codes = [code for code in self._languages if code != AUTO_LANGUAGE]
        default = self._default_language(codes)
        fields: dict[vol.Marker, Any] = {}
        if AUTO_LANGUAGE in self._languages:
            fields[vol.Required(DETECT_LANGUAGE, default=default == AUTO_LANGUAGE)] = BooleanSelector()
        language = codes[0] if default == AUTO_LANGUAGE else default
        selector = LanguageSelector(LanguageSelectorConfig(languages=codes))
        fields[vol.Required(CONF_WHISPER_LANGUAGE, default=language)] = selector
        return vol.Schema(fields)

    def _default_language(self, codes: list[str]) -> str:
        """The language set before, else Home Assistant's language, else detection (or the model's first)."""
        for candidate in (
            self.config_entry.options.get(CONF_WHISPER_LANGUAGE),
            self.hass.config.language.split("-")[0],
        ):
            if candidate in codes or (candidate == AUTO_LANGUAGE and candidate in self._languages):
                return str(candidate)
        return AUTO_LANGUAGE if AUTO_LANGUAGE in self._languages else codes[0]
