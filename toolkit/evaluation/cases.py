"""What a case is, and how the project's suites are written (evals/suites/*.yaml, see evals/README.md)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homeassistant.util.yaml import load_yaml_dict

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
EVALS_DIR = REPO_ROOT / "evals"
SUITES_DIR = EVALS_DIR / "suites"
HOME_DIRS = (EVALS_DIR / "homes", REPO_ROOT / "tests" / "homes")
TIERS = ("smoke", "quick", "full")
ANY_TOOL = "*"
NEGATIVE = "negative"


@dataclass(frozen=True)
class ExpectedCall:
    """A tool call / intent the agent must make. None means "not checked"."""

    intent: str = ANY_TOOL
    targets: frozenset[str] | None = None  # the entity ids it must act on, exactly
    arguments: Mapping[str, Any] = field(default_factory=dict)  # these must be among its arguments


@dataclass(frozen=True)
class Home:
    """A fixture home: the description fixture_home builds, and where the satellite stands."""

    key: str  # cases with the same key share one running Home Assistant
    description: Mapping[str, Any]


@dataclass(frozen=True)
class Case:
    id: str
    home: Home
    utterances: tuple[str, ...]  # said in order, in one conversation; the last one is judged
    category: str  # intent or skill name, or "negative": accuracy is broken down by it
    given: Mapping[str, str] = field(default_factory=dict)  # entity id → state it starts in, not the home's
    calls: tuple[ExpectedCall, ...] = ()
    states: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # entity id → state and attributes
    reply_contains: tuple[str, ...] = ()  # the reply must contain one of these (case-insensitive)
    answer_suffices: bool = False  # a question: a reply with the answer passes without a matching call
    negative: bool = False  # nothing may change
    may_change: frozenset[str] = frozenset()  # changes that are neither required nor wrong
    satellite_area: str | None = None  # the request comes from a device in this area ("here")
    skip_reason: str | None = None  # the case cannot be run here, and why; counted, never dropped
    source: str = ""

    @property
    def text(self) -> str:
        return self.utterances[-1]

    @property
    def expected_changes(self) -> frozenset[str]:
        """Entities the case expects or allows to change; any other change is unexpected."""
        targets = {entity for call in self.calls for entity in call.targets or ()}
        return frozenset(targets | set(self.states) | self.may_change)


@dataclass(frozen=True)
class Suite:
    name: str
    cases: list[Case]


def find_home(name: str) -> Path:
    for folder in HOME_DIRS:
        if (path := folder / f"{name}.yaml").exists():
            return path
    raise FileNotFoundError(f"no fixture home named {name!r} in {', '.join(str(d) for d in HOME_DIRS)}")


def load_home(name: str) -> Home:
    return Home(key=name, description=load_yaml_dict(find_home(name)))


def suite_path(name_or_path: str) -> Path:
    path = Path(name_or_path)
    return path if path.suffix else SUITES_DIR / f"{name_or_path}.yaml"


def load_suite(name_or_path: str) -> Suite:
    """A project suite; `full` is every case of every project suite file (see evals/suites/full.yaml)."""
    path = suite_path(name_or_path)
    data = load_yaml_dict(path)
    cases = [case for included in data.get("include", []) for case in load_suite(included).cases]
    homes: dict[str, Home] = {}
    for raw in data.get("cases", []):
        home_name = raw.get("home", data.get("home", "basic"))
        home = homes.setdefault(home_name, load_home(home_name))
        cases.append(parse_case(raw, home, source=path.name))
    ids = [case.id for case in cases]
    if duplicates := {case_id for case_id in ids if ids.count(case_id) > 1}:
        raise ValueError(f"{path}: duplicate case ids {sorted(duplicates)}")
    return Suite(name=data.get("name", path.stem), cases=cases)


def parse_case(raw: Mapping[str, Any], home: Home, source: str) -> Case:
    expect: Mapping[str, Any] = raw.get("expect", {})
    said = raw["say"]
    negative = bool(raw.get(NEGATIVE, False))
    return Case(
        id=str(raw["id"]),
        home=home,
        utterances=tuple(said) if isinstance(said, list) else (str(said),),
        category=str(raw.get("skill", raw.get("intent", NEGATIVE if negative else "other"))),
        given={entity: _state_text(state) for entity, state in raw.get("given", {}).items()},
        calls=tuple(_expected_call(call) for call in _as_list(expect.get("calls", expect.get("call")))),
        states={entity: _expected_state(value) for entity, value in expect.get("states", {}).items()},
        reply_contains=tuple(str(phrase) for phrase in _as_list(expect.get("reply_contains"))),
        answer_suffices=bool(expect.get("answer_suffices", False)),
        negative=negative,
        may_change=frozenset(raw.get("may_change", [])),
        satellite_area=raw.get("satellite_area"),
        source=source,
    )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _expected_call(raw: Mapping[str, Any]) -> ExpectedCall:
    targets = raw.get("targets")
    return ExpectedCall(
        intent=str(raw.get("intent", ANY_TOOL)),
        targets=None if targets is None else frozenset(_as_list(targets)),
        arguments=dict(raw.get("arguments", {})),
    )


def _expected_state(value: Any) -> Mapping[str, Any]:
    """`"on"` is short for `{state: "on"}`; YAML reads a bare on/off as a boolean."""
    if isinstance(value, Mapping):
        return {key: _state_text(item) if key == "state" else item for key, item in value.items()}
    return {"state": _state_text(value)}


def _state_text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def stratified_sample(cases: list[Case], size: int, seed: int = 0) -> list[Case]:
    """`size` cases spread evenly over the categories (round robin), the same for the same seed."""
    by_category: dict[str, list[Case]] = {}
    for case in cases:
        by_category.setdefault(case.category, []).append(case)
    shuffler = random.Random(seed)
    queues = [shuffler.sample(group, len(group)) for _, group in sorted(by_category.items())]
    sample: list[Case] = []
    while len(sample) < min(size, len(cases)):
        for queue in queues:
            if queue and len(sample) < size:
                sample.append(queue.pop())
    return sample
