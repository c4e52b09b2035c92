"""UI set-up: pick a model file (validated by loading it), then tune the agent in options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_LLM_HASS_API
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import llm
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    TemplateSelector,
    TextSelector,
)

from .const import (
    CONF_CONTEXT_SIZE,
    CONF_MAX_HISTORY,
    CONF_MAX_TOKENS,
    CONF_MAX_TOOL_ITERATIONS,
    CONF_MODEL_PATH,
    CONF_PREFER_LOCAL,
    CONF_PROMPT,
    CONF_REQUEST_TIMEOUT,
    CONF_TEMPERATURE,
    DEFAULT_CONTEXT_SIZE,
    DEFAULT_MAX_HISTORY,
    DEFAULT_MAX_TOKENS,
    DEFAULT_MAX_TOOL_ITERATIONS,
    DEFAULT_NAME,
    DEFAULT_PREFER_LOCAL,
    DEFAULT_PROMPT,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_TEMPERATURE,
    DOMAIN,
)
from .engine.data import LlmSettings
from .engine.errors import EngineError
from .engine.llm import check_model_file
from .engine.worker import WorkerClient

MODEL_SCHEMA = vol.Schema({vol.Required(CONF_MODEL_PATH): TextSelector()})


def default_options() -> dict[str, Any]:
    return {
        CONF_LLM_HASS_API: [llm.LLM_API_ASSIST],
        CONF_PREFER_LOCAL: DEFAULT_PREFER_LOCAL,
        CONF_PROMPT: DEFAULT_PROMPT,
        CONF_TEMPERATURE: DEFAULT_TEMPERATURE,
        CONF_MAX_TOKENS: DEFAULT_MAX_TOKENS,
        CONF_MAX_TOOL_ITERATIONS: DEFAULT_MAX_TOOL_ITERATIONS,
        CONF_MAX_HISTORY: DEFAULT_MAX_HISTORY,
        CONF_CONTEXT_SIZE: DEFAULT_CONTEXT_SIZE,
        CONF_REQUEST_TIMEOUT: DEFAULT_REQUEST_TIMEOUT,
    }


async def async_validate_model(hass: HomeAssistant, path: str) -> str | None:
    """Return an error key, or None when the file exists, is GGUF and loads in a worker."""
    try:
        await hass.async_add_executor_job(check_model_file, path)
    except EngineError as err:
        return err.code
    client = WorkerClient()
    try:
        await client.load_llm(LlmSettings(model_path=path, context_size=512))
    except EngineError:
        return "model_load_failed"
    finally:
        await client.stop()
    return None


class LocalLlmConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a local model."""

    VERSION = 1

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            path = str(Path(user_input[CONF_MODEL_PATH].strip()).expanduser())
            self._async_abort_entries_match({CONF_MODEL_PATH: path})
            if error := await async_validate_model(self.hass, path):
                errors[CONF_MODEL_PATH] = error
            else:
                return self.async_create_entry(
                    title=DEFAULT_NAME, data={CONF_MODEL_PATH: path}, options=default_options()
                )
        schema = self.add_suggested_values_to_schema(MODEL_SCHEMA, user_input)
        return self.async_show_form(step_id="user", data_schema=schema, errors=errors)

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            path = str(Path(user_input[CONF_MODEL_PATH].strip()).expanduser())
            if error := await async_validate_model(self.hass, path):
                errors[CONF_MODEL_PATH] = error
            else:
                return self.async_update_reload_and_abort(entry, data={CONF_MODEL_PATH: path})
        schema = self.add_suggested_values_to_schema(MODEL_SCHEMA, user_input or entry.data)
        return self.async_show_form(step_id="reconfigure", data_schema=schema, errors=errors)

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        return LocalLlmOptionsFlow()


class LocalLlmOptionsFlow(OptionsFlow):
    """Agent settings; saving reloads the entry (and the model if its settings changed)."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        if user_input is not None:
            return self.async_create_entry(data=user_input)
        schema = self.add_suggested_values_to_schema(
            _options_schema(self.hass), {**default_options(), **self.config_entry.options}
        )
        return self.async_show_form(step_id="init", data_schema=schema)


def _number(minimum: float, maximum: float, step: float = 1) -> NumberSelector:
    return NumberSelector(NumberSelectorConfig(min=minimum, max=maximum, step=step, mode=NumberSelectorMode.BOX))


def _options_schema(hass: HomeAssistant) -> vol.Schema:
    apis = [SelectOptionDict(value=api.id, label=api.name) for api in llm.async_get_apis(hass)]
    return vol.Schema(
        {
            vol.Optional(CONF_LLM_HASS_API): SelectSelector(SelectSelectorConfig(options=apis, multiple=True)),
            vol.Optional(CONF_PREFER_LOCAL): BooleanSelector(),
            vol.Optional(CONF_PROMPT): TemplateSelector(),
            vol.Optional(CONF_TEMPERATURE): _number(0, 2, 0.05),
            vol.Optional(CONF_MAX_TOKENS): _number(16, 2048),
            vol.Optional(CONF_MAX_TOOL_ITERATIONS): _number(1, 10),
            vol.Optional(CONF_MAX_HISTORY): _number(0, 50),
            vol.Optional(CONF_CONTEXT_SIZE): _number(512, 32768, 256),
            vol.Optional(CONF_REQUEST_TIMEOUT): _number(1, 600),
        }
    )
