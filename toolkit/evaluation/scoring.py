"""One case's verdict: pass, or the first reason it failed (see evals/README.md for the rules)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.util import color as color_util

from custom_components.local_llm_assist.engine.model_tools import VERB_TOOLS

from .cases import ANY_TOOL, Case, ExpectedCall
from .observe import Observation, ObservedCall, StateSnapshot

PASS = "pass"
SKIPPED = "skipped"
INVALID_OUTPUT = "invalid_output"
UNEXPECTED_CHANGE = "unexpected_change"
NO_ACTION = "no_action"
WRONG_INTENT = "wrong_intent"
WRONG_TARGET = "wrong_target"
WRONG_ARGUMENT = "wrong_argument"
WRONG_STATE = "wrong_state"
MISSING_REPLY_PHRASE = "missing_reply_phrase"
AGENT_ERROR = "agent_error"  # the agent failed to answer: an exception, an engine timeout or crash
FAILURE_REASONS = (
    AGENT_ERROR,
    INVALID_OUTPUT,
    UNEXPECTED_CHANGE,
    NO_ACTION,
    WRONG_INTENT,
    WRONG_TARGET,
    WRONG_ARGUMENT,
    WRONG_STATE,
    MISSING_REPLY_PHRASE,
)

# The model sees verb tools for locks and covers; the chat log holds the real Home Assistant call,
# but a verb name counts as its intent wherever one shows up.
INTENT_OF_VERB = {verb.name: verb.target for verb in VERB_TOOLS}
# Intents that act on devices of one kind only.
INTENT_DOMAINS = {
    "HassLightSet": {"light"},
    "HassClimateSetTemperature": {"climate"},
    "HassClimateGetTemperature": {"climate"},
    "HassSetVolume": {"media_player"},
    "HassMediaPause": {"media_player"},
    "HassMediaUnpause": {"media_player"},
    "HassMediaNext": {"media_player"},
    "HassMediaPrevious": {"media_player"},
    "HassSetPosition": {"cover", "valve"},
    "HassVacuumStart": {"vacuum"},
    "HassVacuumReturnToBase": {"vacuum"},
}
FRACTION_OR_PERCENT = {"volume_level"}
NUMBER_TOLERANCE = 1.0  # brightness 50 and 50.4 mean the same


@dataclass(frozen=True)
class Verdict:
    outcome: str  # PASS, SKIPPED or one of FAILURE_REASONS
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.outcome == PASS

    @property
    def skipped(self) -> bool:
        return self.outcome == SKIPPED


def judge(case: Case, seen: Observation, after: StateSnapshot) -> Verdict:
    if seen.invalid_output:
        return Verdict(INVALID_OUTPUT, seen.reply)
    if seen.engine_failure:
        return Verdict(AGENT_ERROR, f"{seen.engine_failure}: {seen.reply}")
    allowed = frozenset() if case.negative else case.expected_changes
    if unexpected := sorted(set(seen.changed) - allowed):
        return Verdict(UNEXPECTED_CHANGE, ", ".join(unexpected))
    if case.answer_suffices and _reply_has_phrase(case, seen.reply):
        return Verdict(PASS)
    for expected in case.calls:
        if problem := _call_problem(expected, seen.calls):
            return problem
    for entity_id, wanted in case.states.items():
        if problem := _state_problem(entity_id, wanted, after):
            return problem
    if case.reply_contains and not _reply_has_phrase(case, seen.reply):
        return Verdict(MISSING_REPLY_PHRASE, f"{seen.reply!r} has none of {list(case.reply_contains)}")
    return Verdict(PASS)


def intents_match(expected: str, observed: str) -> bool:
    return expected in (ANY_TOOL, observed, INTENT_OF_VERB.get(observed))


def _call_problem(expected: ExpectedCall, calls: list[ObservedCall]) -> Verdict | None:
    if not calls:
        return Verdict(NO_ACTION, "no tool call or intent")
    same_intent = [call for call in calls if intents_match(expected.intent, call.intent)]
    if not same_intent:
        return Verdict(WRONG_INTENT, ", ".join(call.intent for call in calls))
    if expected.targets is not None:
        acted_on = _of_intent_domains(expected.intent, frozenset().union(*(call.targets for call in same_intent)))
        if acted_on != expected.targets:
            return Verdict(WRONG_TARGET, f"{sorted(acted_on)} instead of {sorted(expected.targets)}")
    if expected.arguments and not any(_arguments_match(expected.arguments, call.arguments) for call in same_intent):
        return Verdict(WRONG_ARGUMENT, "; ".join(_describe(call.arguments) for call in same_intent))
    return None


def _of_intent_domains(intent_name: str, targets: frozenset[str]) -> frozenset[str]:
    """Home Assistant lists every entity of an area among an intent's results (HassLightSet on "the
    bedroom" lists its switch too) though its service only acts on its own domain's entities."""
    domains = INTENT_DOMAINS.get(intent_name)
    return frozenset(t for t in targets if t.split(".", 1)[0] in domains) if domains else targets


def _arguments_match(expected: Mapping[str, Any], observed: Mapping[str, Any]) -> bool:
    return all(
        name in observed and values_match(_in_percent(name, value), _in_percent(name, observed[name]))
        for name, value in expected.items()
    )


def _in_percent(name: str, value: Any) -> Any:
    """Volume is a fraction in Home Assistant's matcher and a percentage in its LLM tool."""
    number = _number(value)
    return number * 100 if name in FRACTION_OR_PERCENT and number is not None and number <= 1 else value


def values_match(expected: Any, observed: Any) -> bool:
    """Loose on form, strict on meaning: case, number type, one-element lists, colour names vs RGB."""
    if isinstance(expected, str) and _is_rgb(observed):
        return _rgb_of(expected) == tuple(int(channel) for channel in observed)
    if isinstance(observed, list | tuple | set):
        wanted = expected if isinstance(expected, list | tuple | set) else [expected]
        return {_normal(value) for value in wanted} == {_normal(value) for value in observed}
    if isinstance(expected, list | tuple) and len(expected) == 1:
        expected = expected[0]
    expected_number, observed_number = _number(expected), _number(observed)
    if expected_number is not None and observed_number is not None:
        return abs(expected_number - observed_number) <= NUMBER_TOLERANCE
    return _normal(expected) == _normal(observed)


def _is_rgb(value: Any) -> bool:
    return isinstance(value, list | tuple) and len(value) == 3 and all(_number(item) is not None for item in value)


def _rgb_of(colour_name: str) -> tuple[int, ...] | None:
    try:
        return tuple(color_util.color_name_to_rgb(colour_name))
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _normal(value: Any) -> str:
    return str(value).strip().casefold()


def _state_problem(entity_id: str, wanted: Mapping[str, Any], after: StateSnapshot) -> Verdict | None:
    if entity_id not in after:
        return Verdict(WRONG_STATE, f"{entity_id} does not exist")
    state, attributes = after[entity_id]
    actual = {"state": state, **attributes}
    wrong = [key for key, value in wanted.items() if key not in actual or not values_match(value, actual[key])]
    if wrong:
        return Verdict(WRONG_STATE, f"{entity_id}: " + ", ".join(f"{key}={actual.get(key)!r}" for key in wrong))
    return None


def _reply_has_phrase(case: Case, reply: str) -> bool:
    return any(phrase.casefold() in reply.casefold() for phrase in case.reply_contains)


def _describe(arguments: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in arguments.items())


def count_outcomes(verdicts: Iterable[Verdict]) -> dict[str, int]:
    counts = dict.fromkeys((PASS, SKIPPED, *FAILURE_REASONS), 0)
    for verdict in verdicts:
        counts[verdict.outcome] += 1
    return counts
