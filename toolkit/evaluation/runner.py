"""Running cases through Home Assistant's conversation API, as a user's request would go.

Agents:
  builtin  Home Assistant's own sentence matcher
  llm      our agent, every request answered by the model
  hybrid   our agent, Home Assistant's matcher first and the model for the rest
Each home runs in its own in-process Home Assistant (toolkit/harness.py); before every case the
fixture home is reset, so cases never see each other's changes.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from itertools import groupby
from pathlib import Path
from typing import Any

from homeassistant.components import conversation
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import area_registry as ar
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import intent
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.local_llm_assist.const import CONF_NEWS_FEEDS, CONF_PREFER_LOCAL
from custom_components.local_llm_assist.engine.errors import (
    InvalidModelOutputError,
    ServerAuthError,
    ServerError,
    ServerResponseError,
    ServerTimeoutError,
    ServerUnreachableError,
    WorkerCrashedError,
    WorkerStoppedError,
    WorkerTimeoutError,
)
from custom_components.local_llm_assist.runtime import LocalLlmRuntime
from custom_components.local_llm_assist.spoken import async_sentence
from toolkit.engine_choice import WORKER, EngineChoice
from toolkit.harness import BUILTIN_AGENT, OUR_AGENT, add_agent, running_home

from .cases import Case, Home
from .feeds import serving_feeds
from .observe import Observation, Stages, changed_states, observed_calls, reply_text, snapshot
from .scoring import AGENT_ERROR, SKIPPED, Verdict, judge

MODES = ("builtin", "llm", "hybrid")
ENGINE_FAILURES = tuple(
    error.code
    for error in (
        InvalidModelOutputError,
        WorkerTimeoutError,
        WorkerCrashedError,
        WorkerStoppedError,
        ServerError,
        ServerUnreachableError,
        ServerTimeoutError,
        ServerAuthError,
        ServerResponseError,
    )
)
FIXTURE_HOME = "fixture_home"
OUT_OF_TIME = "not run: the run's time budget (--max-minutes) ran out"


@dataclass(frozen=True)
class AgentConfig:
    mode: str  # one of MODES
    model: Path | None = None  # our agent's model file (llm, hybrid)
    options: dict[str, Any] = field(default_factory=dict)  # our agent's options beyond the defaults
    engine: EngineChoice = WORKER  # where our agent's model runs

    @property
    def uses_model(self) -> bool:
        return self.mode != "builtin"


@dataclass(frozen=True)
class Agent:
    """A conversation agent ready in a running Home Assistant."""

    agent_id: str
    runtime: LocalLlmRuntime | None = None  # our agent's, for generation timings and tokens


@dataclass
class CaseResult:
    case: Case
    verdict: Verdict
    observation: Observation | None = None  # None for a skipped case


type Progress = Callable[[CaseResult], None]


async def run_suite(
    cases: Iterable[Case], config: AgentConfig, progress: Progress | None = None, stop_at: float | None = None
) -> list[CaseResult]:
    """Every case, home by home; skipped cases are reported without running anything.

    Cases not started by `stop_at` (time.monotonic()) are reported as not run, with that reason.
    """
    results: list[CaseResult] = []
    runnable = []
    for case in cases:
        if case.skip_reason:
            results.append(_skipped(case, progress))
        else:
            runnable.append(case)
    runnable.sort(key=lambda case: case.home.key)
    for _, home_cases in groupby(runnable, key=lambda case: case.home.key):
        group = list(home_cases)
        if stop_at is not None and time.monotonic() > stop_at:
            results += [_skipped(replace(case, skip_reason=OUT_OF_TIME), progress) for case in group]
            continue
        async with (
            home_with_feeds(group[0].home, config) as (description, home_config),
            running_home(description) as hass,
        ):
            agent = await async_start_agent(hass, home_config)
            results += await run_cases(hass, agent, group, progress, stop_at)
    return results


@asynccontextmanager
async def home_with_feeds(home: Home, config: AgentConfig) -> AsyncIterator[tuple[dict[str, Any], AgentConfig]]:
    """The home's fixture_home description, and the agent settings with its news feeds served locally."""
    description = dict(home.description)
    feed_files = description.pop(CONF_NEWS_FEEDS, [])  # for the news skill, not for fixture_home
    async with serving_feeds(feed_files) as feeds:
        feed_options = {CONF_NEWS_FEEDS: feeds} if feeds else {}
        yield description, replace(config, options={**feed_options, **config.options})


async def async_start_agent(hass: HomeAssistant, config: AgentConfig) -> Agent:
    if not config.uses_model:
        return Agent(BUILTIN_AGENT)
    if config.model is None:
        raise ValueError(f"the {config.mode} agent needs a model")
    options = {CONF_PREFER_LOCAL: config.mode == "hybrid", **config.options}
    entry = await add_agent(hass, config.model, engine=config.engine, **options)
    runtime: LocalLlmRuntime = entry.runtime_data
    if runtime.warm_up is not None:
        await runtime.warm_up  # measure warm turns, as a running home has them
    return Agent(OUR_AGENT, runtime)


async def run_cases(
    hass: HomeAssistant,
    agent: Agent,
    cases: Iterable[Case],
    progress: Progress | None = None,
    stop_at: float | None = None,
) -> list[CaseResult]:
    """Cases whose home is already set up in `hass` (fixture_home), one after another."""
    replies = await async_failure_replies(hass)
    results = []
    for case in cases:
        if stop_at is not None and time.monotonic() > stop_at:
            results.append(_skipped(replace(case, skip_reason=OUT_OF_TIME), progress))
            continue
        if case.skip_reason:
            results.append(_skipped(case, progress))
            continue
        result = await run_case(hass, agent, case, replies)
        results.append(result)
        if progress:
            progress(result)
    return results


async def async_failure_replies(hass: HomeAssistant) -> dict[str, str]:
    """What our agent says when the engine fails, by error code: how a report tells them apart."""
    return {code: await async_sentence(hass, "en", code) for code in ENGINE_FAILURES}


async def run_case(hass: HomeAssistant, agent: Agent, case: Case, failure_replies: dict[str, str]) -> CaseResult:
    await hass.services.async_call(FIXTURE_HOME, "reset", {"states": dict(case.given)}, blocking=True)
    await hass.async_block_till_done()
    device_id = satellite_device(hass, case.satellite_area) if case.satellite_area else None
    conversation_id = None
    for earlier in case.utterances[:-1]:
        earlier_result = await _converse(hass, agent, earlier, conversation_id, device_id)
        conversation_id = earlier_result.conversation_id
    before, generations_before = snapshot(hass), _generation_count(agent)
    started = time.perf_counter()
    try:
        result = await _converse(hass, agent, case.text, conversation_id, device_id)
    except HomeAssistantError as err:
        return CaseResult(case, Verdict(AGENT_ERROR, str(err)))
    total_ms = (time.perf_counter() - started) * 1000
    await hass.async_block_till_done()
    after = snapshot(hass)
    reply = reply_text(result)
    failed = result.response.response_type == intent.IntentResponseType.ERROR
    failure = next((code for code, text in failure_replies.items() if failed and reply == text), None)
    seen = Observation(
        reply=reply,
        response_type=result.response.response_type.value,
        error_code=result.response.error_code.value if result.response.error_code else None,
        calls=observed_calls(hass, result),
        changed=changed_states(before, after),
        invalid_output=failure == InvalidModelOutputError.code,
        engine_failure=failure if failure != InvalidModelOutputError.code else None,
        stages=_stages(agent, generations_before, total_ms),
    )
    return CaseResult(case, judge(case, seen, after), seen)


async def _converse(
    hass: HomeAssistant, agent: Agent, text: str, conversation_id: str | None, device_id: str | None
) -> conversation.ConversationResult:
    return await conversation.async_converse(
        hass, text, conversation_id, Context(), language="en", agent_id=agent.agent_id, device_id=device_id
    )


def satellite_device(hass: HomeAssistant, area: str) -> str | None:
    """A voice satellite standing in `area` (an area id or name), for requests that say "here"."""
    areas = ar.async_get(hass)
    found = areas.async_get_area(area) or areas.async_get_area_by_name(area)
    if found is None:
        return None  # a satellite in a room the home lacks is a satellite without a room
    entries = hass.config_entries.async_entries(FIXTURE_HOME)
    if not entries:
        MockConfigEntry(domain=FIXTURE_HOME, title="Satellites").add_to_hass(hass)
        entries = hass.config_entries.async_entries(FIXTURE_HOME)
    devices = dr.async_get(hass)
    device = devices.async_get_or_create(
        config_entry_id=entries[0].entry_id, identifiers={(FIXTURE_HOME, f"satellite_{found.id}")}, name="Satellite"
    )
    devices.async_update_device(device.id, area_id=found.id)
    return device.id


def _generation_count(agent: Agent) -> int:
    return agent.runtime.generation_count if agent.runtime else 0


def _stages(agent: Agent, generations_before: int, total_ms: float) -> Stages:
    stages = Stages(total_ms=total_ms)
    if agent.runtime is None:
        return stages
    new = agent.runtime.generation_count - generations_before
    for generation in list(agent.runtime.generations)[-new:] if new else []:
        stages.generations += 1
        stages.prompt_ms += generation.prompt_ms
        stages.generation_ms += generation.generation_ms
        stages.prompt_tokens += generation.prompt_tokens
        stages.cached_prompt_tokens += generation.cached_prompt_tokens
        stages.completion_tokens += generation.completion_tokens
    return stages


def _skipped(case: Case, progress: Progress | None) -> CaseResult:
    result = CaseResult(case, Verdict(SKIPPED, case.skip_reason or ""))
    if progress:
        progress(result)
    return result
