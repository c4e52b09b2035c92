"""One turn: a request answered through Home Assistant's chat log.

The steps, in order: check the request → cut it into its commands if it strings several together
(engine/compound.py), then for each: Home Assistant's sentence matcher (hybrid mode) → attach the
LLM API (once a turn) → one snapshot of the home (once a turn) → refuse names the user did not
expose → prompt → generate → parse → ground the call in what was said (engine/grounding.py) →
execute it through the chat log → a fixed sentence for a plain success, or the result back to the
model; the commands' replies are said one after the other. Every step is traced.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from homeassistant.components import conversation
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_LLM_HASS_API
from homeassistant.core import HomeAssistant
from homeassistant.helpers import intent, llm

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
    LOGGER,
    MAX_REQUEST_CHARS,
)
from .engine.compound import may_hold_several, split_commands
from .engine.data import ChatMessage, GenerationRequest
from .engine.errors import EngineError, InvalidModelOutputError
from .engine.grounding import Refusal, ground
from .engine.private_names import find_private_mention
from .engine.prompt import build_messages, call_message, focused_result, reply_message, tool_result_message
from .engine.text import request_text
from .engine.toolcall import Reply, ToolCall, parse_model_output
from .engine.toolnames import bare_name
from .engine.utterance import Utterance
from .home_context import HomeContext, async_get_device_area, async_get_home_context
from .prompt_plan import PromptPlan, build_prompt_plan, prompt_style, render_instructions
from .runtime import LocalLlmRuntime
from .skills.registry import skill_named
from .skills.runner import spoken_reply
from .spoken import async_sentence
from .tool_results import ToolFailure, confirmed_targets, tool_failure
from .tracing.recorder import TurnRecorder


class Turn:
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
        self._instructions: str | None = None
        self._home_context: HomeContext | None = None
        self._earlier: list[ChatMessage] = []  # the conversation before this request

    async def run(self) -> conversation.ConversationResult:
        text = request_text(self.user_input.text)
        if not text:
            return await self._fail("empty_request")
        if len(text) > MAX_REQUEST_CHARS:
            return await self._fail("request_too_long", max_chars=str(MAX_REQUEST_CHARS))
        self._earlier = self._history()
        # The names tell a command from a name ("... and play room light") and a list of names from other words.
        commands = split_commands(text, self._home().all_names) if may_hold_several(text) else [text]
        if len(commands) == 1:
            return await self._answer(text)
        return self._combined([await self._answer(command) for command in commands])

    def _home(self) -> HomeContext:
        """One snapshot of the exposed home for the whole turn, taken when first needed."""
        if self._home_context is None:
            self._home_context = async_get_home_context(self.hass)
        return self._home_context

    async def _answer(self, text: str) -> conversation.ConversationResult:
        """One command: Home Assistant's matcher first (hybrid mode), else the model."""
        if self.options.get(CONF_PREFER_LOCAL, DEFAULT_PREFER_LOCAL) and (local := await self._handle_locally(text)):
            return local
        try:
            instructions = await self._attach_llm_api()
        except conversation.ConverseError as err:
            return err.as_conversation_result()
        home = self._home()
        if private := find_private_mention(text, home.exposed_names, home.private_names):
            return await self._fail("device_not_exposed", name=private)
        try:
            return await self._answer_with_model(text, instructions, home)
        except EngineError as err:
            LOGGER.warning("Turn failed: %s", err)
            # Some texts name the cause ("The model file is missing: {error}"); engine messages carry no secret.
            return await self._fail(err.code, error=str(err))

    async def _attach_llm_api(self) -> str:
        """Hand Home Assistant's LLM API and the user's instructions to the chat log, once a turn.

        Returns the instructions as rendered, for the prompt. Raises ConverseError.
        """
        if self._instructions is None:
            instructions = render_instructions(self.hass, self.options)
            apis = self.options.get(CONF_LLM_HASS_API, [])
            await compat.async_provide_llm_data(self.chat_log, self.user_input, apis, instructions)
            self._instructions = instructions
        return self._instructions

    async def _handle_locally(self, text: str) -> conversation.ConversationResult | None:
        """Let Home Assistant's sentence matcher answer canonical commands in milliseconds.

        Only a clean match counts; anything it does not understand, or fails to carry out,
        goes to the model.
        """
        started = time.perf_counter()
        command = replace(self.user_input, text=text)
        response = await compat.async_handle_locally(self.hass, command, self.chat_log)
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

    async def _answer_with_model(
        self, text: str, instructions: str, home: HomeContext
    ) -> conversation.ConversationResult:
        """Prompt → generate → parse → ground → execute, until the model speaks or a call settles it."""
        plan = build_prompt_plan(self.hass, instructions, self.chat_log.llm_api, home, prompt_style(self.options))
        self.trace.prompt(plan.system_prompt, plan.grammar)
        tools, devices = plan.tools, home.names.devices
        here = async_get_device_area(self.hass, self.user_input.device_id)
        utterance = Utterance(text, here, tuple(self._earlier))
        history = list(utterance.history)
        pending: list[ChatMessage] = []
        made: list[ToolCall] = []
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
            grounded = ground(parsed, utterance, tools, home.names)
            if isinstance(grounded, Refusal):
                return await self._fail(grounded.reason)
            if not skill_is_asked_for(grounded.meant.name, text):
                return await self._fail("not_asked_for")
            if grounded.meant in made:
                break  # the model repeats itself: what was done is the answer
            made.append(grounded.meant)
            result = await self._call_tool(tools.to_real_call(grounded.to_make))
            if (failure := tool_failure(result)) is not None:
                return await self._fail_tool(failure)
            if confirmation := await self._confirmation(result):
                return self._speak(confirmation)
            meant = grounded.meant
            shown = focused_result(meant.name, result, text, devices, here)
            pending += [call_message(meant.name, meant.arguments), tool_result_message(meant.name, shown)]
        return self._speak(await async_sentence(self.hass, self.language, "nothing_to_add"))

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

    def _combined(self, results: list[conversation.ConversationResult]) -> conversation.ConversationResult:
        """One reply for several commands: what each said, in order; an error only if all failed."""
        speeches = [str(result.response.speech.get("plain", {}).get("speech", "")) for result in results]
        text = " ".join(speech for speech in speeches if speech)
        self.trace.reply(text)
        response = intent.IntentResponse(language=self.language)
        response.async_set_speech(text)
        if all(result.response.response_type == intent.IntentResponseType.ERROR for result in results):
            response.async_set_error(intent.IntentResponseErrorCode.UNKNOWN, text)
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


def skill_is_asked_for(tool_name: str, request: str) -> bool:
    """A skill the request gives no reason for is the model's guess ("allume la lumière" → play it)."""
    skill = skill_named(bare_name(tool_name))
    return skill is None or skill.is_asked_for(request)
