"""The importer of Home Assistant's intents tests, on the development copy in ../shared/evaldata."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from toolkit.evaluation.cases import Case
from toolkit.evaluation.metrics import compute_metrics
from toolkit.evaluation.runner import Agent, run_cases
from toolkit.evaluation.upstream import load_upstream
from toolkit.harness import BUILTIN_AGENT

INTENTS_TESTS = Path(__file__).resolve().parents[2] / "shared" / "evaldata" / "home-assistant-intents" / "tests" / "en"
SENTENCES = 1089  # ../shared/evaldata/README.md


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    if not INTENTS_TESTS.is_dir():
        pytest.fail(f"the development intents tests are missing: {INTENTS_TESTS}")
    return load_upstream(INTENTS_TESTS)


def by_text(cases: list[Case], text: str) -> Case:
    return next(case for case in cases if case.text == text)


def test_every_sentence_becomes_a_case_and_every_skip_has_a_reason(cases: list[Case]) -> None:
    assert len(cases) == SENTENCES
    assert len({case.id for case in cases}) == SENTENCES
    skipped = Counter(case.skip_reason for case in cases if case.skip_reason)
    assert skipped["timers need a satellite that supports them"] > 100
    runnable = [case for case in cases if not case.skip_reason]
    assert len(runnable) > 800
    assert all(case.calls or case.negative for case in runnable)


def test_slots_resolve_to_entity_ids_of_the_test_home(cases: list[Case]) -> None:
    area_lights = by_text(cases, "turn on the lights in the living room")
    assert area_lights.calls[0].intent == "HassTurnOn"
    assert area_lights.calls[0].targets == {"light.living_room_lamp", "light.play_corner"}
    named = by_text(cases, "set the bedroom lamp color to red")
    assert named.calls[0].targets == {"light.bedroom_lamp"}
    assert named.calls[0].arguments == {"color": "red"}
    here = by_text(cases, "switch off the lights in this room")
    assert here.satellite_area == "Living Room"


def test_questions_can_pass_on_the_answer_and_missing_devices_must_change_nothing(cases: list[Case]) -> None:
    question = by_text(cases, "is the phone battery low?")
    assert question.answer_suffices and question.reply_contains == ("no",)
    no_such_fan = by_text(cases, "turn on the kitchen fan")
    assert no_such_fan.negative and not no_such_fan.calls


async def test_home_assistants_own_matcher_passes_its_own_tests(hass: HomeAssistant, cases: list[Case]) -> None:
    """The harness runs upstream cases end to end: the built-in agent, on one file's sentences."""
    lights = [case for case in cases if case.source == "en/light_HassTurnOn.yaml" and not case.skip_reason]
    for component in ("homeassistant", "conversation", "intent"):
        assert await async_setup_component(hass, component, {})
    description = dict(lights[0].home.description)
    assert await async_setup_component(hass, "fixture_home", {"fixture_home": description})
    await hass.async_block_till_done()
    results = await run_cases(hass, Agent(BUILTIN_AGENT), lights)
    metrics = compute_metrics(results)
    assert metrics.case_accuracy.n == len(lights) > 30
    assert metrics.case_accuracy.value > 0.95, [r.verdict for r in results if not r.verdict.passed]
