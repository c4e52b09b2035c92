"""The conversation agent entity: warms the model up, and runs each request as a Turn (turn.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from homeassistant.components import conversation
from homeassistant.const import CONF_LLM_HASS_API, MATCH_ALL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import intent
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from . import compat
from .const import DOMAIN, LOGGER
from .engine.data import GenerationRequest
from .engine.errors import EngineError
from .engine.prompt import build_messages
from .entity import LocalLlmEntity
from .home_context import async_get_home_context
from .prompt_plan import build_prompt_plan, render_instructions
from .runtime import LocalLlmConfigEntry
from .tracing.recorder import TurnRecorder
from .turn import Turn


async def async_setup_entry(
    hass: HomeAssistant, entry: LocalLlmConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    async_add_entities([LocalLlmConversationEntity(entry)])


class LocalLlmConversationEntity(LocalLlmEntity, conversation.ConversationEntity):
    """A conversation agent answered by the local model."""

    _attr_supports_streaming = False

    def __init__(self, entry: LocalLlmConfigEntry) -> None:
        super().__init__(entry, entry.entry_id)
        self._attr_supported_features = conversation.ConversationEntityFeature.CONTROL
        self._busy: dict[str, asyncio.Lock] = {}

    @property
    def supported_languages(self) -> list[str] | Literal["*"]:
        return MATCH_ALL

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        compat.migrate_pipeline_engine(self.hass, self.entry.entry_id, self.entity_id)
        self.runtime.warm_up = self.entry.async_create_background_task(
            self.hass, self._async_warm_up(), f"{DOMAIN} warm-up"
        )

    async def _async_warm_up(self) -> None:
        """Evaluate the static prompt prefix now, so the first request is not the slow one."""
        options = self.entry.options
        try:
            api = await compat.async_get_api_instance(
                self.hass, options.get(CONF_LLM_HASS_API, []), self.hass.config.language
            )
            instructions = render_instructions(self.hass, options)
            plan = build_prompt_plan(self.hass, instructions, api, async_get_home_context(self.hass))
            messages = build_messages(plan.system_prompt, plan.examples, [], "", [])
            runtime = self.runtime
            request = GenerationRequest(
                messages=messages, grammar=plan.grammar, output_schema=plan.output_schema, temperature=0.0, max_tokens=1
            )
            await runtime.engine.generate(request)
        except (EngineError, HomeAssistantError) as err:
            LOGGER.debug("Warm-up skipped: %s", err)

    async def async_process(self, user_input: conversation.ConversationInput) -> conversation.ConversationResult:
        """Turns of one conversation wait for each other before they open its chat log.

        Home Assistant 2026.11+ refuses a second turn while the chat log is in use
        (ConversationBusyError); a satellite's follow-up may well arrive that soon.
        """
        if user_input.conversation_id is None:  # a new conversation: nothing to wait for
            return await super().async_process(user_input)
        async with self._one_turn_at_a_time(user_input.conversation_id):
            return await super().async_process(user_input)

    async def _async_handle_message(
        self, user_input: conversation.ConversationInput, chat_log: conversation.ChatLog
    ) -> conversation.ConversationResult:
        trace = self._start_trace(user_input, chat_log.conversation_id)
        turn = Turn(self.hass, self.runtime, self.entry, user_input, chat_log, trace)
        failed = True
        try:
            result = await turn.run()
            failed = result.response.response_type == intent.IntentResponseType.ERROR
            return result
        finally:
            trace.finish(failed)

    def _start_trace(self, user_input: conversation.ConversationInput, conversation_id: str) -> TurnRecorder:
        tracer = self.runtime.tracer
        if tracer is None:
            return TurnRecorder.untraced()
        return tracer.start_turn(
            conversation_id=conversation_id,
            text=user_input.text,
            language=user_input.language,
            device_id=user_input.device_id,
            satellite_id=compat.satellite_id(user_input),
        )

    @asynccontextmanager
    async def _one_turn_at_a_time(self, conversation_id: str) -> AsyncIterator[None]:
        """Turns of one conversation run in order; different conversations queue at the worker."""
        lock = self._busy.setdefault(conversation_id, asyncio.Lock())
        try:
            async with lock:
                yield
        finally:
            if not lock.locked():
                self._busy.pop(conversation_id, None)
