"""The fine-tuning dataset generator (toolkit/dataset): deterministic, checked by the product, no dev-set sentence."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from custom_components.local_llm_assist.engine.prompt import COMPACT_RULES, RULES, build_system_prompt
from custom_components.local_llm_assist.engine.text import normalize
from custom_components.local_llm_assist.engine.toolcall import ToolCall, parse_model_output
from toolkit.dataset.__main__ import generate, parse_args
from toolkit.dataset.check import GeneratorBug, check_call
from toolkit.dataset.devset import DEV_SET, dev_sentences
from toolkit.dataset.generate import homes
from toolkit.dataset.ha_home import home_session

FAMILIES = {"ha_template", "named_light", "area", "floor", "everything", "here", "single_lock", "brightness",
            "climate_set", "volume", "indirect", "question_yes_no", "question_value", "script",
            "follow_up", "two_commands", "every_lock", "unknown_device", "unexposed_device", "chit_chat",
            "injection"}  # fmt: skip


async def _run(out: Path, *extra: str, homes_count: int = 12) -> dict[str, Any]:
    """A small run; without a dev set given, one with no sentence (the real one may not be on this machine)."""
    if "--dev-set" not in extra:
        empty = out.parent / "no-dev-set.jsonl"
        empty.write_text("")
        extra = (*extra, "--dev-set", str(empty))
    args = parse_args(["--seed", "3", "--homes", str(homes_count), "--requests", "25", "--out", str(out), *extra])
    return await generate(args)


def _rows(out: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line) for name in ("train", "valid") for line in (out / f"{name}.jsonl").read_text().splitlines()
    ]


def _request(row: dict[str, Any]) -> str:
    """The user's words in the example's last request (after the states and the satellite's area)."""
    turn = next(m["content"] for m in reversed(row["messages"]) if m["role"] == "user" and "Request: " in m["content"])
    return turn.rsplit("Request: ", 1)[1]


async def test_same_seed_same_files_and_every_family(tmp_path: Path) -> None:
    first = await _run(tmp_path / "a")
    second = await _run(tmp_path / "b")
    assert first["files"] == second["files"]
    assert first["files"]["valid.jsonl"]["homes"] == 1  # the tenth home is for validation only
    assert set(first["families"]) >= FAMILIES, FAMILIES - set(first["families"])
    assert {family.split("_")[0] for family in first["families"]} >= {"skill", "media"}
    assert set(first["kinds"]) == {"call", "answer", "refusal"}
    rows = _rows(tmp_path / "a")
    valid_homes = {r["home"] for r in _rows(tmp_path / "a")[-first["files"]["valid.jsonl"]["examples"] :]}
    assert not valid_homes & {r["home"] for r in rows[: first["files"]["train.jsonl"]["examples"]]}
    for row in rows:
        assert set(row) == {"id", "home", "kind", "family", "messages"}
        assert row["messages"][0]["role"] == "system" and row["messages"][-1]["role"] == "assistant"
        assert row["messages"][0]["content"].endswith(COMPACT_RULES)  # the default: no rules or worked examples
        assert "Request: " in row["messages"][1]["content"] or row["family"] == "follow_up"


async def test_targets_parse_against_the_home_tools(tmp_path: Path) -> None:
    await _run(tmp_path, "--prompt", "full", homes_count=2)
    rows = _rows(tmp_path)
    home, _ = homes(3, 1)[0]
    async with home_session(home, "full") as session:
        specs = session.plan.tools.specs
        ours = [row for row in rows if row["home"] == home.key]
        assert ours
        for row in ours:
            parse_model_output(row["messages"][-1]["content"], specs)
            assert row["messages"][0]["content"] == session.plan.system_prompt
            assert RULES in row["messages"][0]["content"]


async def test_a_call_the_product_refuses_is_a_generator_bug() -> None:
    home, _ = homes(3, 1)[0]
    light = home.exposed("light")[0]
    async with home_session(home, "compact") as session:
        context = await session.context({})
        call = ToolCall("HassTurnOn", {"name": light.name})
        check_call(call, f"turn on the {light.name.lower()}", [], None, session.plan, context)
        with pytest.raises(GeneratorBug):
            check_call(call, "turn on the toaster", [], None, session.plan, context)


@pytest.mark.skipif(not DEV_SET.exists(), reason="the dev set (../shared/evaldata) is not on this machine")
async def test_no_dev_set_sentence_in_the_data(tmp_path: Path) -> None:
    await _run(tmp_path / "a", "--dev-set", str(DEV_SET))
    dev = dev_sentences()
    requests = [_request(row) for row in _rows(tmp_path / "a")]
    assert not [text for text in requests if normalize(text) in dev]


async def test_a_dev_set_sentence_is_dropped(tmp_path: Path) -> None:
    await _run(tmp_path / "a", homes_count=2)
    taken = random.Random(0).choice([_request(row) for row in _rows(tmp_path / "a")])
    dev = tmp_path / "dev.jsonl"
    dev.write_text(json.dumps({"text": taken.upper() + "?"}) + "\n")
    manifest = await _run(tmp_path / "b", "--dev-set", str(dev), homes_count=2)
    assert manifest["dev_sentences_excluded"] >= 1
    assert normalize(taken) not in {normalize(_request(row)) for row in _rows(tmp_path / "b")}


def test_compact_prompt_keeps_only_the_output_format() -> None:
    full = build_system_prompt("Be brief.", [], [])
    compact = build_system_prompt("Be brief.", [], [], "compact")
    assert full.endswith(RULES) and compact.endswith(COMPACT_RULES)
    assert len(compact) < len(full)
