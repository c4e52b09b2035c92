"""W&B tracking: an evaluation run logged offline, then read back from its run folder."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from toolkit.evaluation.cases import load_suite
from toolkit.evaluation.metrics import compute_metrics
from toolkit.evaluation.report import RunInfo, build_report, write_json
from toolkit.evaluation.runner import Agent, run_cases
from toolkit.evaluation.tracking import CASE_COLUMNS, read_offline_summary
from toolkit.harness import BUILTIN_AGENT, REPO_ROOT

FAKE_KEY = "0123456789abcdef0123456789abcdef01234567"


async def test_offline_run_holds_metrics_and_the_case_table(
    hass: HomeAssistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WANDB_API_KEY", FAKE_KEY)  # offline must not send it, nor write it anywhere
    cases = [case for case in load_suite("smoke").cases if case.home.key == "house"][:6]
    for component in ("homeassistant", "conversation", "intent"):
        assert await async_setup_component(hass, component, {})
    home = dict(cases[0].home.description)
    assert await async_setup_component(hass, "fixture_home", {"fixture_home": home})
    await hass.async_block_till_done()
    results = await run_cases(hass, Agent(BUILTIN_AGENT), cases)
    info = RunInfo("tracking-test", "smoke", "builtin", None, None, "p", "g", {}, "scripts/eval", "now")
    report = build_report(info, compute_metrics(results), results)

    report_file = tmp_path / "builtin.json"
    write_json(report, report_file)
    # In its own process, as after a run: wandb's service and threads stay out of the test's Home Assistant.
    logged = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "toolkit.evaluation.tracking",
        str(report_file),
        str(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=REPO_ROOT,
    )
    output, _ = await logged.communicate()
    assert logged.returncode == 0, output.decode()
    run_dir = Path(output.decode().strip().splitlines()[-1])

    assert run_dir.name.startswith("offline-run-")
    summary = read_offline_summary(run_dir)
    assert summary["accuracy"] == pytest.approx(report["metrics"]["accuracy"]["rate"])
    assert summary["sentences"] == len(cases)
    assert "latency_total_p95_ms" in summary and "false_action_rate" in summary
    [table_file] = (run_dir / "files").rglob("cases_*.table.json")
    table = json.loads(table_file.read_text())
    assert table["columns"] == CASE_COLUMNS
    assert [row[0] for row in table["data"]] == [case.id for case in cases]
    assert {row[3] for row in table["data"]} <= {"pass", "no_action", "missing_reply_phrase"}
    written = "".join(p.read_text(errors="ignore") for p in run_dir.rglob("*") if p.is_file())
    assert FAKE_KEY not in written
