"""The evaluation harness must be able to fail: deliberately wrong agents get the right verdicts.

The agents here are real conversation agents registered in a real Home Assistant; they carry out
real intents on the fixture home, just not the ones asked for.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml
from homeassistant.components import conversation
from homeassistant.core import HomeAssistant
from homeassistant.helpers import chat_session, intent, llm
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
from PIL import Image
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.local_llm_assist import compat
from toolkit.evaluation.__main__ import code_version
from toolkit.evaluation.cases import SUITES_DIR, load_home, load_suite, parse_case
from toolkit.evaluation.chart import draw_chart
from toolkit.evaluation.metrics import compute_metrics, wilson_interval
from toolkit.evaluation.report import RunInfo, build_report, compare, keep, load_report, render_markdown, write_json
from toolkit.evaluation.runner import Agent, CaseResult, run_cases
from toolkit.statistics import percentile

HOME = load_home("house")


@dataclass(frozen=True)
class Act:
    """What the scripted agent does for one sentence: an intent, and perhaps a service on the side."""

    intent: str
    slots: dict[str, Any]
    side_effect: tuple[str, str, str] | None = None  # domain, service, entity id


class ScriptedAgent(conversation.AbstractConversationAgent):
    """Answers every sentence with the act scripted for it, through Home Assistant's intents."""

    def __init__(self, hass: HomeAssistant, script: dict[str, Act]) -> None:
        self.hass = hass
        self.script = script

    @property
    def supported_languages(self) -> list[str] | Literal["*"]:
        return "*"

    async def async_process(self, user_input: conversation.ConversationInput) -> conversation.ConversationResult:
        act = self.script[user_input.text]
        response = await intent.async_handle(
            self.hass,
            "test",
            act.intent,
            {slot: {"value": value} for slot, value in act.slots.items()},
            user_input.text,
            user_input.context,
            language="en",
        )
        if act.side_effect:
            domain, service, entity_id = act.side_effect
            await self.hass.services.async_call(domain, service, {"entity_id": entity_id}, blocking=True)
        return conversation.ConversationResult(response=response)


async def scripted_agent(hass: HomeAssistant, script: dict[str, Act]) -> Agent:
    for component in ("homeassistant", "conversation", "intent"):
        assert await async_setup_component(hass, component, {})
    assert await async_setup_component(hass, "fixture_home", {"fixture_home": dict(HOME.description)})
    await hass.async_block_till_done()
    entry = MockConfigEntry(domain="test")
    entry.add_to_hass(hass)
    conversation.async_set_agent(hass, entry, ScriptedAgent(hass, script))
    return Agent(entry.entry_id)


def case(**raw: Any) -> Any:
    return parse_case({"id": raw.pop("id", "case"), **raw}, HOME, source="test")


TURN_ON_KITCHEN = {"call": {"intent": "HassTurnOn", "targets": ["light.kitchen_light"]}}


@pytest.mark.parametrize(
    ("act", "outcome"),
    [
        (Act("HassTurnOn", {"name": "Kitchen Light"}), "pass"),
        (Act("HassTurnOff", {"name": "Kitchen Light"}), "wrong_intent"),
        (Act("HassTurnOn", {"name": "Office Light"}), "unexpected_change"),
        (
            Act("HassTurnOn", {"name": "Kitchen Light"}, ("switch", "turn_on", "switch.coffee_maker")),
            "unexpected_change",
        ),
    ],
    ids=["right", "wrong_intent", "wrong_target_changes_another", "extra_change"],
)
async def test_the_verdict_names_what_went_wrong(hass: HomeAssistant, act: Act, outcome: str) -> None:
    agent = await scripted_agent(hass, {"turn on the kitchen light": act})
    [result] = await run_cases(hass, agent, [case(say="turn on the kitchen light", expect=TURN_ON_KITCHEN)])
    assert result.verdict.outcome == outcome, result.verdict
    if outcome == "unexpected_change":
        assert result.verdict.detail in ("light.office_light", "switch.coffee_maker")


async def test_a_wrong_target_is_caught_even_when_nothing_changes(hass: HomeAssistant) -> None:
    # The living room ceiling is already on: turning it on changes nothing, and is still wrong.
    agent = await scripted_agent(
        hass, {"turn on the kitchen light": Act("HassTurnOn", {"name": "Living Room Ceiling"})}
    )
    [result] = await run_cases(hass, agent, [case(say="turn on the kitchen light", expect=TURN_ON_KITCHEN)])
    assert result.verdict.outcome == "wrong_target"
    assert "light.living_room_ceiling" in result.verdict.detail
    assert result.observation is not None and not result.observation.changed


async def test_wrong_argument_state_reply_and_negative_cases(hass: HomeAssistant) -> None:
    script = {
        "dim the office light to 30 percent": Act("HassLightSet", {"name": "Office Light", "brightness": 80}),
        "close the bedroom blinds": Act("HassTurnOn", {"name": "Bedroom Fan"}),
        "is the front door locked?": Act("HassGetState", {"name": "Front Door"}),
        "turn on the server rack light": Act("HassTurnOn", {"name": "Porch Light"}),
    }
    agent = await scripted_agent(hass, script)
    cases = [
        case(
            id="argument",
            say="dim the office light to 30 percent",
            may_change=["light.office_light"],
            expect={"call": {"intent": "HassLightSet", "arguments": {"brightness": 30}}},
        ),
        case(
            id="state",
            say="close the bedroom blinds",
            may_change=["fan.bedroom_fan"],
            expect={"states": {"cover.bedroom_blinds": "closed"}},
        ),
        case(id="reply", say="is the front door locked?", expect={"reply_contains": ["unlocked"]}),
        case(id="negative", negative=True, say="turn on the server rack light"),
    ]
    results = await run_cases(hass, agent, cases)
    outcomes = {result.case.id: result.verdict.outcome for result in results}
    assert outcomes == {
        "argument": "wrong_argument",
        "state": "wrong_state",
        "reply": "missing_reply_phrase",
        "negative": "unexpected_change",
    }
    metrics = compute_metrics(results)
    assert metrics.false_action.k == 1 and metrics.false_action.n == 1
    assert metrics.accuracy.k == 0 and metrics.accuracy.n == 4


async def test_the_fixture_home_is_reset_between_cases(hass: HomeAssistant) -> None:
    script = {"turn on the kitchen light": Act("HassTurnOn", {"name": "Kitchen Light"})}
    agent = await scripted_agent(hass, script)
    twice = [case(id=f"run{n}", say="turn on the kitchen light", expect=TURN_ON_KITCHEN) for n in (1, 2)]
    results = await run_cases(hass, agent, twice)
    # The second run starts from "off" again, so the light changes both times.
    assert [sorted(r.observation.changed) for r in results if r.observation] == [["light.kitchen_light"]] * 2


def test_percentile_is_a_measured_value_by_nearest_rank() -> None:
    """The one percentile of the eval, the benchmarks and the stress run (toolkit/statistics.py)."""
    values = [float(v) for v in range(20, 0, -1)]  # 20..1, unsorted on purpose
    assert percentile(values, 0.5) == 10.0
    assert percentile(values, 0.95) == 19.0
    assert percentile(values, 1.0) == 20.0
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([], 0.5) != percentile([], 0.5)  # nan: no values, no figure


def test_wilson_interval_matches_known_values() -> None:
    low, high = wilson_interval(8, 10)
    assert (round(low, 3), round(high, 3)) == (0.490, 0.943)
    assert wilson_interval(0, 20)[0] == 0.0
    assert wilson_interval(20, 20)[1] == 1.0


async def test_reports_compare_with_a_baseline_and_draw_a_chart(hass: HomeAssistant, tmp_path: Path) -> None:
    right = {"turn on the kitchen light": Act("HassTurnOn", {"name": "Kitchen Light"})}
    agent = await scripted_agent(hass, right)
    cases = [case(id="kitchen", say="turn on the kitchen light", expect=TURN_ON_KITCHEN)]
    good = await run_cases(hass, agent, cases)
    bad = [CaseResult(good[0].case, type(good[0].verdict)("wrong_target", "light.office_light"), good[0].observation)]
    info = RunInfo("t", "test", "builtin", None, None, "p", "g", {}, "scripts/eval", "now")
    run_folder = tmp_path / "reports" / "run"
    run_folder.mkdir(parents=True)
    write_json(build_report(info, compute_metrics(good), good), run_folder / "builtin.json")
    [kept] = [path for path in keep(run_folder, tmp_path / "results") if path.suffix == ".json"]
    report = build_report(info, compute_metrics(bad), bad)
    comparison = compare(report, load_report(kept))  # a committed summary serves as the baseline
    assert comparison["changed_cases"] == [
        {"id": "kitchen", "text": "turn on the kitchen light", "before": "pass", "after": "wrong_target"}
    ]
    assert comparison["deltas"]["accuracy"]["delta"] == -1.0
    assert "pass → wrong_target" in render_markdown(report, comparison)
    draw_chart(report, tmp_path / "chart.png")
    with Image.open(tmp_path / "chart.png") as image:
        assert image.format == "PNG" and image.width > 300


def test_a_run_records_the_commit_of_its_code() -> None:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
    version = code_version()
    assert version is not None and version.split("+")[0] == head.stdout.strip()
    info = RunInfo("t", "test", "builtin", None, None, "p", "g", {}, "scripts/eval", "now", commit=version)
    assert f"commit {version}" in render_markdown(build_report(info, compute_metrics([]), []))


def test_project_suites_load_and_tiers_nest() -> None:
    smoke, quick, full = (load_suite(name) for name in ("smoke", "quick", "full"))
    assert 25 <= len(smoke.cases) <= 40
    assert 60 <= len(quick.cases) <= 120  # a few minutes on the default model, for iterating
    ids = {c.id for c in full.cases}
    assert {c.id for c in smoke.cases} <= ids and {c.id for c in quick.cases} <= ids
    assert any(c.negative for c in smoke.cases)


@pytest.mark.parametrize("suite", sorted(SUITES_DIR.glob("*.yaml")), ids=lambda path: path.name)
def test_suite_files_read_the_same_in_any_yaml_reader(suite: Path) -> None:
    """The suites are plain YAML: a reader stricter than Home Assistant's (pure-Python PyYAML) gets
    the same cases, so other tools can read them."""
    strict = yaml.load(suite.read_text(), Loader=yaml.SafeLoader)
    assert strict == load_yaml_dict(suite)


class ToolCallingAgent(conversation.AbstractConversationAgent):
    """Calls Home Assistant's LLM tools through the chat log, as our agent does, with scripted calls."""

    def __init__(self, hass: HomeAssistant, call: llm.ToolInput) -> None:
        self.hass = hass
        self.call = call

    @property
    def supported_languages(self) -> list[str] | Literal["*"]:
        return "*"

    async def async_process(self, user_input: conversation.ConversationInput) -> conversation.ConversationResult:
        with (
            chat_session.async_get_chat_session(self.hass, user_input.conversation_id) as session,
            conversation.async_get_chat_log(self.hass, session, user_input) as chat_log,
        ):
            await compat.async_provide_llm_data(chat_log, user_input, [llm.LLM_API_ASSIST], "")
            content = conversation.AssistantContent(agent_id=user_input.agent_id or "", tool_calls=[self.call])
            async for _ in chat_log.async_add_assistant_content(content):
                pass
            response = intent.IntentResponse(language="en")
            response.async_set_speech("Done.")
            return conversation.ConversationResult(response=response, conversation_id=session.conversation_id)


@pytest.mark.parametrize(
    ("name", "outcome"),
    [("Kitchen Light", "pass"), ("Living Room Ceiling", "wrong_target"), ("Office Light", "unexpected_change")],
)
async def test_tool_calls_are_read_from_the_chat_log(hass: HomeAssistant, name: str, outcome: str) -> None:
    agent = await scripted_agent(hass, {})
    call = llm.ToolInput(tool_name="HassTurnOn", tool_args={"name": name})
    conversation.async_set_agent(
        hass, hass.config_entries.async_get_entry(agent.agent_id), ToolCallingAgent(hass, call)
    )
    [result] = await run_cases(hass, agent, [case(say="turn on the kitchen light", expect=TURN_ON_KITCHEN)])
    assert result.verdict.outcome == outcome, result.verdict
    assert result.observation is not None
    assert [c.intent for c in result.observation.calls] == ["HassTurnOn"]
