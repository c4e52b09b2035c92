"""UI set-up: where the model runs (a file on this machine, or a model server), then the agent and speech in options.

Every choice is checked for real before an entry is made: a model file is loaded, a server is
asked for a short generation in the product's output format.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_LLM_HASS_API, CONF_URL
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import llm
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TemplateSelector,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from yarl import URL

from . import compat
from .const import (
    CONF_CATALOG_MODEL,
    CONF_CONTEXT_SIZE,
    CONF_MAX_HISTORY,
    CONF_MAX_TOKENS,
    CONF_MAX_TOOL_ITERATIONS,
    CONF_MODEL_PATH,
    CONF_MODEL_SHA256,
    CONF_NEWS_FEEDS,
    CONF_PREFER_LOCAL,
    CONF_PROMPT,
    CONF_REQUEST_TIMEOUT,
    CONF_SERVER_API_KEY,
    CONF_SHA256,
    CONF_SKILLS,
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
    ENGINE_LLAMACPP_SERVER,
    ENGINE_OPENAI,
    SKILLS_API_ID,
)
from .engine.catalog import downloadable_llms, load_catalog
from .engine_setup import SERVER_ENGINES, engine_kind
from .model_check import async_validate_model
from .model_download import DownloadError, DownloadResult, download_model
from .server_form import async_check_server, server_entry_data, server_schema, without_key
from .skills.settings import FEATURES
from .speech_options import SpeechOptionsFlow
from .tracing.settings import (
    CONF_TRACE_TEXT,
    CONF_TRACING,
    CONF_TRACING_MODE,
    CONF_WANDB_API_KEY,
    CONF_WANDB_BASE_URL,
    CONF_WANDB_ENTITY,
    CONF_WANDB_PROJECT,
    DEFAULT_BASE_URL,
    DEFAULT_PROJECT,
    MODE_OFFLINE,
    MODE_ONLINE,
    TracingSettings,
)
from .tracing.setup import async_check_api_key, async_install_wandb

MODEL_SCHEMA = vol.Schema({vol.Required(CONF_MODEL_PATH): TextSelector()})
URL_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_URL): TextSelector(TextSelectorConfig(type=TextSelectorType.URL)),
        vol.Optional(CONF_SHA256): TextSelector(),
    }
)
MODELS_FOLDER = "models"  # under the Home Assistant config directory


@dataclass(frozen=True)
class DownloadPlan:
    url: str
    file_name: str
    sha256: str | None
    size: int | None
    catalog_id: str | None


def default_options() -> dict[str, Any]:
    return {
        CONF_LLM_HASS_API: [llm.LLM_API_ASSIST, SKILLS_API_ID],
        CONF_PREFER_LOCAL: DEFAULT_PREFER_LOCAL,
        CONF_PROMPT: DEFAULT_PROMPT,
        CONF_TEMPERATURE: DEFAULT_TEMPERATURE,
        CONF_MAX_TOKENS: DEFAULT_MAX_TOKENS,
        CONF_MAX_TOOL_ITERATIONS: DEFAULT_MAX_TOOL_ITERATIONS,
        CONF_MAX_HISTORY: DEFAULT_MAX_HISTORY,
        CONF_CONTEXT_SIZE: DEFAULT_CONTEXT_SIZE,
        CONF_REQUEST_TIMEOUT: DEFAULT_REQUEST_TIMEOUT,
        CONF_SKILLS: list(FEATURES),
        CONF_NEWS_FEEDS: [],
    }


def reconfigured_data(data: Mapping[str, Any], model_path: str) -> dict[str, Any]:
    """The entry's data with a new model file; every other setting (the W&B key...) is kept.

    A pinned sha256 describes the file it was computed from: it stays while the path does and
    is dropped for another file (traces then hash the new file themselves).
    """
    kept = {**data, CONF_MODEL_PATH: model_path}
    if data.get(CONF_MODEL_PATH) != model_path:
        kept.pop(CONF_MODEL_SHA256, None)
    return kept


class LocalLlmConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a local model: from the catalog (downloaded), a file on disk, or a URL."""

    VERSION = 1

    def __init__(self) -> None:
        self._download: DownloadPlan | None = None
        self._download_task: asyncio.Task[DownloadResult] | None = None
        self._download_error: str | None = None

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Where the language model runs."""
        return self.async_show_menu(step_id="user", menu_options=["this_machine", *SERVER_ENGINES])

    async def async_step_this_machine(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return self.async_show_menu(step_id="this_machine", menu_options=["catalog", "local_file", "url"])

    async def async_step_llamacpp_server(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return await self._async_server_step(ENGINE_LLAMACPP_SERVER, user_input)

    async def async_step_openai_compatible(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return await self._async_server_step(ENGINE_OPENAI, user_input)

    async def _async_server_step(self, kind: str, user_input: dict[str, Any] | None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            data = server_entry_data(kind, user_input)
            self._async_abort_entries_match({key: value for key, value in data.items() if key != CONF_SERVER_API_KEY})
            errors = await async_check_server(self.hass, kind, data)
            if not errors:
                return self._create_entry(data)
        schema = self.add_suggested_values_to_schema(server_schema(kind), without_key(user_input))
        return self.async_show_form(step_id=kind, data_schema=schema, errors=errors)

    async def async_step_local_file(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            path = str(Path(user_input[CONF_MODEL_PATH].strip()).expanduser())
            self._async_abort_entries_match({CONF_MODEL_PATH: path})
            if error := await async_validate_model(self.hass, path):
                errors[CONF_MODEL_PATH] = error
            else:
                return self._create_entry({CONF_MODEL_PATH: path})
        schema = self.add_suggested_values_to_schema(MODEL_SCHEMA, user_input)
        return self.async_show_form(step_id="local_file", data_schema=schema, errors=errors)

    async def async_step_catalog(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        models = downloadable_llms(await self.hass.async_add_executor_job(load_catalog))
        if user_input is not None:
            model = next(model for model in models if model.id == user_input[CONF_CATALOG_MODEL])
            assert model.url is not None  # downloadable_llms keeps only models with a URL
            self._download = DownloadPlan(model.url, model.file, model.sha256, model.size, model.id)
            return await self.async_step_download()
        options = [SelectOptionDict(value=model.id, label=model.label()) for model in models]
        # A list, not a drop-down: a drop-down cuts the long labels off, and size, RAM and licence are the point.
        picker = SelectSelector(SelectSelectorConfig(options=options, mode=SelectSelectorMode.LIST))
        schema = vol.Schema({vol.Required(CONF_CATALOG_MODEL): picker})
        return self.async_show_form(step_id="catalog", data_schema=schema)

    async def async_step_url(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            url = user_input[CONF_URL].strip()
            file_name = Path(URL(url).path).name
            checksum = (user_input.get(CONF_SHA256) or "").strip().lower() or None
            if not url.startswith(("http://", "https://")) or not file_name.endswith(".gguf"):
                errors[CONF_URL] = "invalid_model_url"
            elif checksum is not None and not re.fullmatch(r"[0-9a-f]{64}", checksum):
                errors[CONF_SHA256] = "invalid_sha256"
            else:
                self._download = DownloadPlan(url, file_name, checksum, None, None)
                return await self.async_step_download()
        schema = self.add_suggested_values_to_schema(URL_SCHEMA, user_input)
        return self.async_show_form(step_id="url", data_schema=schema, errors=errors)

    async def async_step_download(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Download in the background while the UI shows progress; then validate and create.

        Closing the dialog cancels the task (Home Assistant cancels a flow's progress task);
        the partial file stays and the next attempt resumes it.
        """
        assert self._download is not None
        if self._download_task is None:
            self._download_task = self.hass.async_create_task(self._async_download(self._download))
        if not self._download_task.done():
            return self.async_show_progress(
                step_id="download",
                progress_action="download",
                progress_task=self._download_task,
                description_placeholders={"file": self._download.file_name},
            )
        try:
            self._download_result = self._download_task.result()
        except DownloadError as err:
            self._download_error = err.code
            return self.async_show_progress_done(next_step_id="download_failed")
        return self.async_show_progress_done(next_step_id="download_done")

    async def async_step_download_done(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        result = self._download_result
        path = str(result.path)
        self._async_abort_entries_match({CONF_MODEL_PATH: path})
        if error := await async_validate_model(self.hass, path):
            return self.async_abort(reason=error)
        # Pin the hash computed now, so a later swap of the file is noticed even for unverified entries.
        return self._create_entry({CONF_MODEL_PATH: path, CONF_MODEL_SHA256: result.sha256})

    async def async_step_download_failed(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return self.async_abort(reason=self._download_error or "download_failed")

    async def _async_download(self, plan: DownloadPlan) -> DownloadResult:
        destination = Path(self.hass.config.path(MODELS_FOLDER, plan.file_name))
        await self.hass.async_add_executor_job(partial(destination.parent.mkdir, parents=True, exist_ok=True))
        return await download_model(
            async_get_clientsession(self.hass),
            plan.url,
            destination,
            expected_sha256=plan.sha256,
            expected_size=plan.size,
            on_progress=self._report_progress,
        )

    @callback
    def _report_progress(self, done: int, total: int | None) -> None:
        if total:
            compat.report_flow_progress(self, done / total)

    def _create_entry(self, data: dict[str, Any]) -> ConfigFlowResult:
        return self.async_create_entry(title=DEFAULT_NAME, data=data, options=default_options())

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        entry = self._get_reconfigure_entry()
        if engine_kind(entry.data) in SERVER_ENGINES:
            return await self.async_step_reconfigure_server(user_input)
        errors: dict[str, str] = {}
        if user_input is not None:
            path = str(Path(user_input[CONF_MODEL_PATH].strip()).expanduser())
            if error := await async_validate_model(self.hass, path):
                errors[CONF_MODEL_PATH] = error
            else:
                return self._update_and_abort(entry, reconfigured_data(entry.data, path))
        schema = self.add_suggested_values_to_schema(MODEL_SCHEMA, user_input or entry.data)
        return self.async_show_form(step_id="reconfigure", data_schema=schema, errors=errors)

    async def async_step_reconfigure_server(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The server's address, model or key. An empty key field keeps the saved key."""
        entry = self._get_reconfigure_entry()
        kind = engine_kind(entry.data)
        errors: dict[str, str] = {}
        if user_input is not None:
            data = server_entry_data(kind, user_input, saved_key=entry.data.get(CONF_SERVER_API_KEY))
            if not (errors := await async_check_server(self.hass, kind, data)):
                return self._update_and_abort(entry, {**entry.data, **data})
        schema = self.add_suggested_values_to_schema(server_schema(kind), without_key(user_input or entry.data))
        return self.async_show_form(step_id="reconfigure_server", data_schema=schema, errors=errors)

    def _update_and_abort(self, entry: ConfigEntry, data: dict[str, Any]) -> ConfigFlowResult:
        """Save the new settings; the entry's update listener reloads it with them.

        Not async_update_reload_and_abort: it schedules a reload of its own besides the listener's, so the
        model would be loaded twice, and Assist would fail during the second, needless reload.
        """
        self.hass.config_entries.async_update_entry(entry, data=data)
        return self.async_abort(reason="reconfigure_successful")

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """W&B rejected the tracing API key: ask for a new one."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            api_key = user_input[CONF_WANDB_API_KEY].strip()
            settings = TracingSettings.from_entry(entry.data, entry.options)
            if not (error := await async_check_api_key(self.hass, settings.base_url, api_key)):
                # The entry's update listener reloads it, which restarts tracing with the new key.
                self.hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_WANDB_API_KEY: api_key})
                return self.async_abort(reason="reauth_successful")
            errors[CONF_WANDB_API_KEY] = error
        return self.async_show_form(step_id="reauth_confirm", data_schema=API_KEY_SCHEMA, errors=errors)

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        return LocalLlmOptionsFlow()


class LocalLlmOptionsFlow(SpeechOptionsFlow):
    """Agent, speech or tracing settings; saving reloads the entry (and a model if its settings changed)."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        return self.async_show_menu(step_id="init", menu_options=["agent", "speech", "tracing"])

    async def async_step_agent(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        schema = _options_schema(self.hass)
        if user_input is not None:
            # The other steps' settings are kept; a field cleared here is dropped.
            kept = {key: value for key, value in self.config_entry.options.items() if key not in schema.schema}
            return self.async_create_entry(data={**kept, **user_input})
        schema = self.add_suggested_values_to_schema(schema, {**default_options(), **self.config_entry.options})
        return self.async_show_form(step_id="agent", data_schema=schema)

    async def async_step_tracing(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Tracing to W&B. The API key is stored with the entry's credentials and never shown again."""
        errors: dict[str, str] = {}
        if user_input is not None:
            new_key = (user_input.pop(CONF_WANDB_API_KEY, None) or "").strip()
            api_key = new_key or self.config_entry.data.get(CONF_WANDB_API_KEY)
            errors = await self._async_check_tracing(user_input, api_key)
            if not errors:
                options = {**self.config_entry.options, **user_input}
                if new_key:  # one update for the key and the options: one reload
                    self.hass.config_entries.async_update_entry(
                        self.config_entry, data={**self.config_entry.data, CONF_WANDB_API_KEY: new_key}, options=options
                    )
                return self.async_create_entry(data=options)
        current = {**TRACING_DEFAULTS, **self.config_entry.options, **(user_input or {})}
        schema = self.add_suggested_values_to_schema(TRACING_SCHEMA, current)
        return self.async_show_form(step_id="tracing", data_schema=schema, errors=errors)

    async def _async_check_tracing(self, user_input: dict[str, Any], api_key: str | None) -> dict[str, str]:
        if not user_input.get(CONF_TRACING):
            return {}
        if not await async_install_wandb(self.hass):
            return {"base": "wandb_install_failed"}
        if user_input.get(CONF_TRACING_MODE) != MODE_ONLINE:
            return {}
        if not api_key:
            return {CONF_WANDB_API_KEY: "api_key_required"}
        base_url = str(user_input.get(CONF_WANDB_BASE_URL) or DEFAULT_BASE_URL)
        if error := await async_check_api_key(self.hass, base_url, api_key):
            return {"base": error}
        return {}


API_KEY_SCHEMA = vol.Schema(
    {vol.Required(CONF_WANDB_API_KEY): TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))}
)
TRACING_DEFAULTS: dict[str, Any] = {
    CONF_TRACING: False,
    CONF_TRACING_MODE: MODE_OFFLINE,
    CONF_WANDB_PROJECT: DEFAULT_PROJECT,
    CONF_WANDB_BASE_URL: DEFAULT_BASE_URL,
    CONF_TRACE_TEXT: False,
}
TRACING_SCHEMA = vol.Schema(
    {
        vol.Optional(CONF_TRACING): BooleanSelector(),
        vol.Optional(CONF_TRACING_MODE): SelectSelector(
            SelectSelectorConfig(options=[MODE_OFFLINE, MODE_ONLINE], translation_key=CONF_TRACING_MODE)
        ),
        vol.Optional(CONF_WANDB_PROJECT): TextSelector(),
        vol.Optional(CONF_WANDB_ENTITY): TextSelector(),
        vol.Optional(CONF_WANDB_BASE_URL): TextSelector(TextSelectorConfig(type=TextSelectorType.URL)),
        vol.Optional(CONF_WANDB_API_KEY): TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD)),
        vol.Optional(CONF_TRACE_TEXT): BooleanSelector(),
    }
)


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
            vol.Optional(CONF_SKILLS): SelectSelector(
                SelectSelectorConfig(options=list(FEATURES), multiple=True, translation_key=CONF_SKILLS)
            ),
            vol.Optional(CONF_NEWS_FEEDS): TextSelector(TextSelectorConfig(type=TextSelectorType.URL, multiple=True)),
        }
    )
