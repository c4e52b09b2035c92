"""The run's report: JSON (everything), a markdown summary, and the comparison with a baseline."""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .metrics import RunMetrics
from .runner import CaseResult

FAILURES_LISTED = 40
RESULTS_DIR = Path(__file__).resolve().parent.parent.parent / "evals" / "results"


@dataclass(frozen=True)
class RunInfo:
    """What was run: enough to reproduce it and to tell two runs apart."""

    name: str
    suite: str
    mode: str
    model: str | None
    model_sha256: str | None
    prompt_version: str
    grammar_version: str
    options: dict[str, Any]
    command: str
    started: str
    upstream: str | None = None
    model_id: str | None = None
    commit: str | None = None  # the code's git commit ("+changes": the checkout had uncommitted edits)


def case_record(result: CaseResult) -> dict[str, Any]:
    case, seen = result.case, result.observation
    record: dict[str, Any] = {
        "id": case.id,
        "category": case.category,
        "source": case.source,
        "text": case.text,
        "utterances": list(case.utterances),
        "negative": case.negative,
        "outcome": result.verdict.outcome,
        "detail": result.verdict.detail,
    }
    if seen is not None:
        record |= {
            "reply": seen.reply,
            "calls": [
                {"intent": c.intent, "arguments": c.arguments, "targets": sorted(c.targets), "ok": c.succeeded}
                for c in seen.calls
            ],
            "changed": sorted(seen.changed),
            "invalid_output": seen.invalid_output,
            "stages": asdict(seen.stages),
        }
    return record


def build_report(info: RunInfo, metrics: RunMetrics, results: list[CaseResult]) -> dict[str, Any]:
    return {"run": asdict(info), "metrics": metrics.as_dict(), "cases": [case_record(r) for r in results]}


def write_json(report: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(report, indent=1, default=str, ensure_ascii=False) + "\n")


def load_report(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def percent(rate: dict[str, Any]) -> str:
    if not rate["n"]:
        return "-"
    return f"{100 * rate['rate']:.1f}% [{100 * rate['low']:.1f}-{100 * rate['high']:.1f}] ({rate['k']}/{rate['n']})"


def ms(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.0f}"


def render_markdown(report: dict[str, Any], comparison: dict[str, Any] | None = None) -> str:
    run, metrics = report["run"], report["metrics"]
    lines = [
        f"# Evaluation run `{run['name']}`",
        "",
        f"- suite: `{run['suite']}`" + (f" + upstream `{run['upstream']}`" if run.get("upstream") else ""),
        f"- agent: **{run['mode']}**" + (f" on `{Path(run['model']).name}`" if run.get("model") else ""),
        f"- model `{run.get('model_id') or '-'}`, sha256 `{run.get('model_sha256') or '-'}`; "
        f"prompt {run['prompt_version']}; "
        f"grammar {run['grammar_version']}",
        f"- started {run['started']}; commit {run.get('commit') or 'unknown'}; command: `{run['command']}`",
        "",
        "| metric | value |",
        "| --- | --- |",
        f"| accuracy (unique sentences, 95% Wilson) | {percent(metrics['accuracy'])} |",
        f"| accuracy (cases) | {percent(metrics['case_accuracy'])} |",
        f"| false actions on negative cases | {percent(metrics['false_action'])} |",
        f"| invalid model output | {percent(metrics['invalid_output'])} |",
    ]
    for stage, numbers in metrics["latency"].items():
        lines.append(f"| latency {stage} p50 / p95 (ms) | {ms(numbers['p50_ms'])} / {ms(numbers['p95_ms'])} |")
    tokens = metrics["tokens"]
    lines += [
        f"| tokens per model turn: prompt / evaluated / generated | {tokens['prompt_tokens_mean']:.0f} / "
        f"{tokens['prompt_tokens_evaluated_mean']:.0f} / {tokens['completion_tokens_mean']:.1f} |",
        "",
        "## Outcomes",
        "",
        " · ".join(f"{name}: {count}" for name, count in metrics["outcomes"].items() if count),
        "",
        "## By intent / skill",
        "",
        "| category | accuracy [95% CI] (k/n) |",
        "| --- | --- |",
        *(f"| {name} | {percent(rate)} |" for name, rate in metrics["by_category"].items()),
    ]
    if metrics["skipped_by_reason"]:
        lines += ["", "## Skipped (not run, with the reason)", ""]
        lines += [f"- {count} x {reason}" for reason, count in metrics["skipped_by_reason"].items()]
    if comparison:
        lines += ["", render_comparison(comparison)]
    failures = [case for case in report["cases"] if case["outcome"] not in ("pass", "skipped")]
    if failures:
        lines += ["", f"## Failures ({len(failures)}; first {min(len(failures), FAILURES_LISTED)})", ""]
        lines += ["| case | said | outcome | detail |", "| --- | --- | --- | --- |"]
        lines += [
            f"| {c['id']} | {_cell(c['text'])} | {c['outcome']} | {_cell(c['detail'])} |"
            for c in failures[:FAILURES_LISTED]
        ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:160]


COMPARED_METRICS = (
    ("accuracy", ("accuracy", "rate")),
    ("false action rate", ("false_action", "rate")),
    ("invalid output rate", ("invalid_output", "rate")),
    ("latency p50 ms", ("latency", "total", "p50_ms")),
    ("latency p95 ms", ("latency", "total", "p95_ms")),
)


def compare(report: dict[str, Any], baseline: dict[str, Any]) -> dict[str, Any]:
    """Metric deltas and every case whose outcome changed (cases matched by id)."""
    before = {case["id"]: case for case in baseline["cases"]}
    changed = [
        {"id": case["id"], "text": case["text"], "before": before[case["id"]]["outcome"], "after": case["outcome"]}
        for case in report["cases"]
        if case["id"] in before and before[case["id"]]["outcome"] != case["outcome"]
    ]
    deltas = {}
    for label, path in COMPARED_METRICS:
        old, new = _dig(baseline["metrics"], path), _dig(report["metrics"], path)
        deltas[label] = {"baseline": old, "now": new, "delta": new - old}
    return {
        "baseline": baseline["run"]["name"],
        "deltas": deltas,
        "changed_cases": changed,
        "new_cases": sorted(set(case["id"] for case in report["cases"]) - set(before)),
        "dropped_cases": sorted(set(before) - {case["id"] for case in report["cases"]}),
    }


def _dig(data: dict[str, Any], path: tuple[str, ...]) -> float:
    value: Any = data
    for key in path:
        value = value[key]
    return float(value)


def render_comparison(comparison: dict[str, Any]) -> str:
    lines = [
        f"## Against baseline `{comparison['baseline']}`",
        "",
        "| metric | baseline | now | delta |",
        "| --- | --- | --- | --- |",
    ]
    for label, numbers in comparison["deltas"].items():
        lines.append(f"| {label} | {numbers['baseline']:.3f} | {numbers['now']:.3f} | {numbers['delta']:+.3f} |")
    changed = comparison["changed_cases"]
    lines += ["", f"{len(changed)} cases changed outcome:", ""]
    lines += [f"- `{c['id']}` ({_cell(c['text'])}): {c['before']} → {c['after']}" for c in changed]
    if comparison["new_cases"] or comparison["dropped_cases"]:
        lines.append(
            f"\n{len(comparison['new_cases'])} cases are new, {len(comparison['dropped_cases'])} not in this run."
        )
    return "\n".join(lines)


def side_by_side(reports: list[dict[str, Any]]) -> str:
    lines = [
        "| agent | suite | accuracy [95% CI] | false actions | invalid output | p50 ms | p95 ms |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for report in reports:
        metrics, run = report["metrics"], report["run"]
        model = f" ({Path(run['model']).name})" if run.get("model") else ""
        latency = metrics["latency"]["total"]
        lines.append(
            f"| {run['mode']}{model} | {run['suite']} | {percent(metrics['accuracy'])} | "
            f"{percent(metrics['false_action'])} | "
            f"{percent(metrics['invalid_output'])} | {ms(latency['p50_ms'])} | {ms(latency['p95_ms'])} |"
        )
    return "\n".join(lines) + "\n"


def slim(report: dict[str, Any]) -> dict[str, Any]:
    """The report without replies, calls and timings per case: small enough to commit, enough for --baseline."""
    kept = ("id", "category", "text", "outcome", "detail")
    return {**report, "cases": [{key: case[key] for key in kept} for case in report["cases"]]}


def keep(run_folder: Path, results_dir: Path = RESULTS_DIR) -> list[Path]:
    """Copy a run's summaries (markdown and slim JSON of every agent) into evals/results/<run>/."""
    target = results_dir / run_folder.name
    target.mkdir(parents=True, exist_ok=True)
    kept = []
    for report_file in sorted(run_folder.glob("*.json")):
        (target / report_file.name).write_text(json.dumps(slim(load_report(report_file)), ensure_ascii=False) + "\n")
        kept.append(target / report_file.name)
    for summary in sorted(run_folder.glob("*.md")):
        (target / summary.name).write_text(summary.read_text())
        kept.append(target / summary.name)
    return kept


def main(argv: list[str] | None = None) -> int:
    """side-by-side A.json B.json …: one table of separate runs; keep reports/<run>: commit its summaries."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    table = sub.add_parser("side-by-side", help="print one table of several reports")
    table.add_argument("reports", type=Path, nargs="+")
    keeper = sub.add_parser("keep", help="copy a run's markdown and slim JSON into evals/results/")
    keeper.add_argument("run_folder", type=Path)
    args = parser.parse_args(argv)
    if args.command == "keep":
        for path in keep(args.run_folder):
            print(path)
    else:
        print(side_by_side([load_report(path) for path in args.reports]), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
