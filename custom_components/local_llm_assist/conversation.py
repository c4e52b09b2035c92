"""The conversation agent: Home Assistant's chat log and LLM API around the local model.

A turn: check the request → attach the LLM API to the chat log → build the static-first prompt
and a grammar from the live tools and exposed names → generate → parse → either speak the reply
or execute the tool call through the chat log and loop with its result.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

from homeassistant.components import conversation
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_LLM_HASS_API, MATCH_ALL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import intent, llm
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from . import compat
from .const import (
    CONF_MAX_HISTORY,
    CONF_MAX_TOKENS,
    CONF_MAX_TOOL_ITERATIONS,
    CONF_PREFER_LOCAL,
    CONF_TEMPERATURE,
    DEFAULT_MAX_HISTORY,
    DEFAULT_MAX_TOKENS,
    DEFAULT_MAX_TOOL_ITERATIONS,
    DEFAULT_PREFER_LOCAL,
    DEFAULT_TEMPERATURE,
    DOMAIN,
    LOGGER,
    MAX_REQUEST_CHARS,
)
from .engine.data import ChatMessage, GenerationRequest
from .engine.errors import EngineError, InvalidModelOutputError
from .engine.grounding import drop_unsaid_arguments, target_is_mentioned
from .engine.places import WrongDevice, rewrite_or_refuse, tool_reach
from .engine.private_names import find_private_mention
from .engine.prompt import (
    build_messages,
    call_message,
    focused_result,
    reply_message,
    tool_result_message,
)
from .engine.text import mentioned_names, says_here
from .engine.toolcall import Reply, ToolCall, parse_model_output
from .engine.toolnames import bare_name
from .entity import LocalLlmEntity
from .home_context import HomeContext, async_get_device_area, async_get_home_context
from .prompt_plan import PromptPlan, build_prompt_plan, render_instructions
from .runtime import LocalLlmConfigEntry, LocalLlmRuntime
from .skills.registry import skill_named
from .skills.runner import spoken_reply
from .spoken import async_sentence
from .tracing.recorder import TurnRecorder


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
            plan = build_prompt_plan(self.hass, options, api, async_get_home_context(self.hass))
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
        turn = _Turn(self.hass, self.runtime, self.entry, user_input, chat_log, trace)
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


class _Turn:
    """One request from the user, answered through the chat log."""

    def __init__(
        self,
        hass: HomeAssistant,
        runtime: LocalLlmRuntime,
        entry: ConfigEntry,
        user_input: conversation.ConversationInput,
        chat_log: conversation.ChatLog,
        trace: TurnRecorder,
    ) -> None:
        self.hass = hass
        self.runtime = runtime
        self.options = entry.options
        self.user_input = user_input
        self.chat_log = chat_log
        self.language = user_input.language
        self.trace = trace

    async def run(self) -> conversation.ConversationResult:
        text = self.user_input.text.strip()
        if not text:
            return await self._fail("empty_request")
        if len(text) > MAX_REQUEST_CHARS:
            return await self._fail("request_too_long", max_chars=str(MAX_REQUEST_CHARS))
        if self.options.get(CONF_PREFER_LOCAL, DEFAULT_PREFER_LOCAL) and (local := await self._handle_locally()):
            return local
        try:
            await compat.async_provide_llm_data(
                self.chat_log,
                self.user_input,
                self.options.get(CONF_LLM_HASS_API, []),
                render_instructions(self.hass, self.options),
            )
        except conversation.ConverseError as err:
            return err.as_conversation_result()
        home = async_get_home_context(self.hass)
        if private := find_private_mention(text, home.exposed_names, home.private_names):
            return await self._fail("device_not_exposed", name=private)
        try:
            return await self._tool_loop(text, home)
        except EngineError as err:
            LOGGER.warning("Turn failed: %s", err)
            # Some texts name the cause ("The model file is missing: {error}"); engine messages carry no secret.
            return await self._fail(err.code, error=str(err))

    async def _handle_locally(self) -> conversation.ConversationResult | None:
        """Let Home Assistant's sentence matcher answer canonical commands in milliseconds.

        Only a clean match counts; anything it does not understand, or fails to carry out,
        goes to the model.
        """
        started = time.perf_counter()
        response = await compat.async_handle_locally(self.hass, self.user_input, self.chat_log)
        handled = response is not None and response.response_type != intent.IntentResponseType.ERROR
        self.trace.handled_locally(handled, (time.perf_counter() - started) * 1000)
        if response is None or not handled:
            return None
        if response.response_type == intent.IntentResponseType.ACTION_DONE:
            self.trace.acted()
        if speech := response.speech.get("plain", {}).get("speech"):
            self.trace.reply(speech)
            self.chat_log.async_add_assistant_content_without_tools(
                conversation.AssistantContent(agent_id=self.user_input.agent_id, content=speech)
            )
        return conversation.ConversationResult(response=response, conversation_id=self.chat_log.conversation_id)

    async def _tool_loop(self, text: str, home: HomeContext) -> conversation.ConversationResult:
        plan = build_prompt_plan(self.hass, self.options, self.chat_log.llm_api, home)
        self.trace.prompt(plan.system_prompt, plan.grammar)
        tools, devices = plan.tools, home.names.devices
        here = async_get_device_area(self.hass, self.user_input.device_id)
        history = self._history()
        said_by_user = " ".join([text, *(message.content for message in history if message.role == "user")])
        # "here" names the satellite's area, for the target guard as if it had been said.
        spoken_place = here if here and says_here(text) else ""
        conversation_text = " ".join([text, spoken_place, *(message.content for message in history)])
        pending: list[ChatMessage] = []
        executed: list[ToolCall] = []
        for _ in range(int(self.options.get(CONF_MAX_TOOL_ITERATIONS, DEFAULT_MAX_TOOL_ITERATIONS))):
            messages = build_messages(plan.system_prompt, plan.examples, history, text, devices, pending, here)
            output = await self._generate(messages, plan)
            try:
                parsed = parse_model_output(output, tools.specs)
            except InvalidModelOutputError as err:
                LOGGER.debug("Invalid model output: %s", err)
                return await self._fail("invalid_model_output")
            if isinstance(parsed, Reply):
                return self._speak(parsed.text)
            try:
                reach = tool_reach(tools, parsed.name, home.names)
                switched = tools.light_set_as_switch(parsed, text)
                parsed = rewrite_or_refuse(switched, text, said_by_user, home.names, reach, here)
            except WrongDevice:
                return await self._fail("device_not_found")
            if parsed in executed:
                break  # the model repeats itself: what was done is the answer
            executed.append(parsed)
            if not self._target_was_mentioned(parsed, f"{text} {spoken_place}", conversation_text, home):
                return await self._fail("device_not_found")
            if not skill_is_asked_for(parsed.name, text):
                return await self._fail("not_asked_for")
            arguments = drop_unsaid_arguments(parsed.arguments, tools.schema(parsed.name), said_by_user)
            # Without the values nobody said, a light-set may be bare: a turn-on.
            grounded = tools.light_set_as_switch(ToolCall(parsed.name, arguments), text)
            result = await self._call_tool(tools.to_real_call(grounded))
            if (failure := tool_failure(result)) is not None:
                return await self._fail_tool(failure)
            if confirmation := await self._confirmation(result):
                return self._speak(confirmation)
            shown = focused_result(parsed.name, result, text, devices, here)
            pending += [call_message(parsed.name, parsed.arguments), tool_result_message(parsed.name, shown)]
        return self._speak(await async_sentence(self.hass, self.language, "nothing_to_add"))

    @staticmethod
    def _target_was_mentioned(call: ToolCall, text: str, said: str, home: HomeContext) -> bool:
        """Refuse a call on a device or area nobody spoke of (see engine/grounding.py)."""
        if isinstance(name := call.arguments.get("name"), str):
            device = home.names.device_named(name)
            words = " ".join((name, *device.aliases, device.area or "")) if device else name
            request_areas = mentioned_names(text, set(home.names.areas))
            return target_is_mentioned(
                said, words, request_areas=request_areas, target_area=device.area if device else None
            )
        if isinstance(area := call.arguments.get("area"), str):
            return target_is_mentioned(said, area)
        return True

    async def _generate(self, messages: list[ChatMessage], plan: PromptPlan) -> str:
        request = GenerationRequest(
            messages=messages,
            grammar=plan.grammar,
            output_schema=plan.output_schema,
            temperature=float(self.options.get(CONF_TEMPERATURE, DEFAULT_TEMPERATURE)),
            max_tokens=int(self.options.get(CONF_MAX_TOKENS, DEFAULT_MAX_TOKENS)),
        )
        result = await self.runtime.engine.generate(request)
        LOGGER.debug(
            "Generated %s (prompt %d tokens, %d cached, %.0f ms; %d tokens in %.0f ms)",
            result.text,
            result.prompt_tokens,
            result.cached_prompt_tokens,
            result.prompt_ms,
            result.completion_tokens,
            result.generation_ms,
        )
        self.runtime.record(result)
        self.trace.generation(result)
        return result.text

    async def _call_tool(self, call: ToolCall) -> Any:
        tool_input = llm.ToolInput(tool_name=call.name, tool_args=call.arguments)
        content = conversation.AssistantContent(agent_id=self.user_input.agent_id, tool_calls=[tool_input])
        started = time.perf_counter()
        results = [
            compat.tool_result_data(result) async for result in self.chat_log.async_add_assistant_content(content)
        ]
        result = results[0] if results else None
        # Traces name tools by bare name, the same on every Home Assistant version.
        self.trace.tool_call(bare_name(call.name), call.arguments, result, (time.perf_counter() - started) * 1000)
        return result

    async def _confirmation(self, result: Any) -> str | None:
        """A fixed sentence for a plain success, so the model is not asked to narrate it.

        This saves a second generation on every command and keeps a small model from
        misreporting what happened. Anything else (answers, errors) goes back to the model.
        """
        if (skill_speech := spoken_reply(result)) is not None:
            return skill_speech  # skills word their own answer (skills/base.py)
        if not (done := confirmed_targets(result)):
            return None
        return await async_sentence(self.hass, self.language, "action_done", targets=", ".join(done))

    async def _fail_tool(self, failure: ToolFailure) -> conversation.ConversationResult:
        """A failed action is said as such: a small model asked to narrate an error often says "Done"."""
        if failure.not_found:
            return await self._fail("device_not_found")
        if failure.reason:
            return await self._fail("action_failed_because", reason=failure.reason)
        return await self._fail("action_failed")

    def _history(self) -> list[ChatMessage]:
        """Earlier turns of this conversation in the model's own format (newest last)."""
        messages: list[ChatMessage] = []
        for content in self.chat_log.content[1:-1]:  # skip the system prompt and this request
            messages.extend(_history_messages(content))
        limit = int(self.options.get(CONF_MAX_HISTORY, DEFAULT_MAX_HISTORY))
        return messages[-limit:] if limit > 0 else []

    def _speak(self, text: str) -> conversation.ConversationResult:
        self.trace.reply(text)
        self.chat_log.async_add_assistant_content_without_tools(
            conversation.AssistantContent(agent_id=self.user_input.agent_id, content=text)
        )
        response = intent.IntentResponse(language=self.language)
        response.async_set_speech(text)
        return conversation.ConversationResult(
            response=response,
            conversation_id=self.chat_log.conversation_id,
            continue_conversation=self.chat_log.continue_conversation,
        )

    async def _fail(self, key: str, **placeholders: str) -> conversation.ConversationResult:
        self.trace.failed(key)
        text = await async_sentence(self.hass, self.language, key, **placeholders)
        result = self._speak(text)
        result.response.async_set_error(intent.IntentResponseErrorCode.UNKNOWN, text)
        return result


# Targets Home Assistant lists beside the devices it acted on ("Bedroom" for "the bedroom lights").
PLACE_TARGETS = frozenset({"area", "floor", "domain", "device_class"})


@dataclass(frozen=True)
class ToolFailure:
    not_found: bool  # no device matched the call's targets
    reason: str = ""  # Home Assistant's own words for why, when it has them for people


# Home Assistant's errors for targets it could not match, as a tool result or an intent error code.
NOT_FOUND_ERRORS = frozenset({"MatchFailedError", "NoStatesMatchedError"})
NOT_FOUND_CODES = frozenset({"no_valid_targets", "no_intent_match"})
# Errors whose text Home Assistant words for people ("Accepted range is 7 to 35").
ERRORS_FOR_PEOPLE = frozenset({"ServiceValidationError"})


def tool_failure(result: Any) -> ToolFailure | None:
    """How a tool call failed, from Home Assistant's result; None when it did not."""
    if not isinstance(result, dict) or spoken_reply(result) is not None:
        return None  # skills word their own failures
    if error := result.get("error"):
        reason = str(result.get("error_text", "")) if error in ERRORS_FOR_PEOPLE else ""
        return ToolFailure(not_found=error in NOT_FOUND_ERRORS, reason=reason)
    if result.get("response_type") == "error":
        code = (result.get("data") or {}).get("code")
        return ToolFailure(not_found=code in NOT_FOUND_CODES)
    if result.get("success") is False:
        return ToolFailure(not_found=False)
    return None


def confirmed_targets(result: Any) -> list[str]:
    """The devices an intent acted on when it fully succeeded; empty for anything else (errors, answers)."""
    data = result.get("data") if isinstance(result, dict) else None
    if not isinstance(data, dict) or result.get("response_type") != "action_done" or data.get("failed"):
        return []
    return [
        target["name"]
        for target in data.get("success", [])
        if target.get("name") and target.get("type") not in PLACE_TARGETS
    ]


def skill_is_asked_for(tool_name: str, request: str) -> bool:
    """A skill the request gives no reason for is the model's guess ("allume la lumière" → play it)."""
    skill = skill_named(bare_name(tool_name))
    return skill is None or skill.is_asked_for(request)


def _history_messages(content: Any) -> list[ChatMessage]:
    """One chat-log entry as the model's messages; tools under the bare names it is shown."""
    if isinstance(content, conversation.UserContent):
        return [ChatMessage("user", content.content)]
    if isinstance(content, conversation.AssistantContent):
        messages = [call_message(bare_name(call.tool_name), call.tool_args) for call in content.tool_calls or []]
        if content.content:
            messages.append(reply_message(content.content))
        return messages
    if isinstance(content, conversation.ToolResultContent):
        return [tool_result_message(bare_name(content.tool_name), compat.tool_result_data(content))]
    return []
