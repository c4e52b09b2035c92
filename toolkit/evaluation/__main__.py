"""Run an evaluation: scripts/eval --suite quick --agent builtin llm hybrid [--upstream PATH] …

Writes reports/<name>/<agent>.json, .md and .png (and a W&B offline run under reports/<name>/),
plus side_by_side.md when several agents ran. See evals/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from homeassistant.exceptions import HomeAssistantError
from tqdm import tqdm

from custom_components.local_llm_assist.engine.prompt import PROMPT_VERSION
from toolkit.engine_choice import WORKER, parse_engine
from toolkit.harness import REPO_ROOT
from toolkit.models import CATALOG_PATH, DEFAULT_LLM, file_sha256

from .cases import Case, load_suite, stratified_sample
from .chart import draw_chart
from .metrics import compute_metrics
from .report import (
    RunInfo,
    build_report,
    compare,
    load_report,
    render_comparison,
    render_markdown,
    side_by_side,
    write_json,
)
from .runner import MODES, AgentConfig, CaseResult, run_suite
from .tracking import log_run
from .upstream import load_upstream

REPORTS_DIR = REPO_ROOT / "reports"
# The engine files that decide what the model may output and how it is read back.
GRAMMAR_FILES = ("grammar.py", "model_tools.py", "home_names.py", "toolcall.py")
ENGINE_DIR = REPO_ROOT / "custom_components" / "local_llm_assist" / "engine"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default="quick", help="smoke, quick, full, none, or a suite file")
    parser.add_argument("--upstream", type=Path, help="a Home Assistant intents tests/<lang> folder to add")
    parser.add_argument("--agent", nargs="+", choices=MODES, default=["llm"], help="agents to run, in order")
    parser.add_argument("--model", type=Path, default=DEFAULT_LLM, help="GGUF file for our agent")
    parser.add_argument(
        "--engine",
        type=parse_engine,
        default=WORKER,
        help="where our agent's model runs: worker (default), llamacpp-server=URL, openai=URL,model=NAME"
        " (see toolkit/engine_choice.py)",
    )
    parser.add_argument("--option", action="append", default=[], metavar="KEY=JSON", help="an agent option")
    parser.add_argument("--sample", type=int, help="run a stratified sample of this many cases")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample")
    parser.add_argument(
        "--max-minutes", type=float, help="per agent: cases not started by then are reported as not run"
    )
    parser.add_argument("--name", help="run name (default: suite, model and time)")
    parser.add_argument("--out", type=Path, default=REPORTS_DIR, help="folder for reports/<name>/")
    parser.add_argument("--baseline", type=Path, help="an earlier <agent>.json report to compare with")
    tracking = parser.add_mutually_exclusive_group()
    tracking.add_argument("--no-wandb", action="store_true", help="do not log to Weights & Biases")
    tracking.add_argument(
        "--wandb-offline", action="store_true", help="log offline even when WANDB_API_KEY is set (the default without)"
    )
    return parser.parse_args(argv)


def collect_cases(args: argparse.Namespace) -> tuple[list[Case], str]:
    cases = [] if args.suite == "none" else load_suite(args.suite).cases
    if args.upstream:
        cases += load_upstream(args.upstream)
    label = args.suite + ("+upstream" if args.upstream else "")
    if args.sample:
        cases = stratified_sample([case for case in cases if not case.skip_reason], args.sample, args.seed)
        label += f" (stratified sample of {len(cases)} runnable cases, seed {args.seed})"
    return cases, label


def model_identity(model: Path) -> tuple[str, str]:
    """Catalog id and sha256 when the catalog lists the file (hashing 400 MB takes a while), else
    the file name and the computed hash."""
    catalog = json.loads(CATALOG_PATH.read_text())
    for entry in catalog["models"]:
        if entry.get("file") == model.name and entry.get("sha256"):
            return str(entry["id"]), str(entry["sha256"])
    return model.name, file_sha256(model)


def grammar_version() -> str:
    digest = hashlib.sha256()
    for name in GRAMMAR_FILES:
        digest.update((ENGINE_DIR / name).read_bytes())
    return digest.hexdigest()[:12]


def code_version() -> str | None:
    """The commit the run's code comes from, marked "+changes" when the checkout differs from it."""
    root = ENGINE_DIR.parents[2]
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, check=True)
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return None  # not a git checkout
    return commit.stdout.decode().strip() + ("+changes" if status.stdout.strip() else "")


def run_info(
    args: argparse.Namespace, name: str, mode: str, label: str, options: dict[str, Any], started: datetime
) -> RunInfo:
    uses_model = mode != "builtin"
    on_server = uses_model and args.engine.on_server
    if on_server:  # the server's model file is not ours to hash
        model_id, sha256 = args.engine.model or args.engine.label(), None
    else:
        model_id, sha256 = model_identity(args.model) if uses_model else (None, None)
    return RunInfo(
        name=f"{name}-{mode}",
        suite=label,
        mode=mode,
        model=(args.engine.label() if on_server else str(args.model)) if uses_model else None,
        model_sha256=sha256,
        prompt_version=PROMPT_VERSION,
        grammar_version=grammar_version(),
        options=options if uses_model else {},
        command=shlex.join(["scripts/eval", *sys.argv[1:]]),
        started=started.isoformat(timespec="seconds"),
        commit=code_version(),
        upstream=str(args.upstream) if args.upstream else None,
        model_id=model_id,
    )


def run_agent(cases: list[Case], config: AgentConfig, minutes: float | None) -> list[CaseResult]:
    stop_at = time.monotonic() + minutes * 60 if minutes else None
    with tqdm(total=len(cases), desc=config.mode, unit="case") as bar:

        def advance(result: CaseResult) -> None:
            bar.update()
            bar.set_postfix_str(f"{result.case.id[:24]}: {result.verdict.outcome}")

        return asyncio.run(run_suite(cases, config, advance, stop_at))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        cases, label = collect_cases(args)
    except (OSError, ValueError, HomeAssistantError) as err:
        print(f"scripts/eval: cannot read the cases: {err}", file=sys.stderr)
        return 2
    options = {key: json.loads(value) for key, value in (option.split("=", 1) for option in args.option)}
    name = args.name or f"{args.suite}-{args.model.stem}-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    folder = args.out / name
    folder.mkdir(parents=True, exist_ok=True)
    baseline = load_report(args.baseline) if args.baseline else None
    summaries = []
    for mode in args.agent:
        started = datetime.now(UTC)
        results = run_agent(cases, AgentConfig(mode, args.model, options, args.engine), args.max_minutes)
        info = run_info(args, name, mode, label, options, started)
        report = build_report(info, compute_metrics(results), results)
        comparison = compare(report, baseline) if baseline else None
        if comparison:
            report["comparison"] = comparison
        write_json(report, folder / f"{mode}.json")
        (folder / f"{mode}.md").write_text(render_markdown(report, comparison))
        draw_chart(report, folder / f"{mode}.png")
        if not args.no_wandb:
            log_run(report, folder, online=bool(os.environ.get("WANDB_API_KEY")) and not args.wandb_offline)
        summaries.append(report)
        print(f"\n{mode}: accuracy {report['metrics']['accuracy']['rate']:.3f} → {folder / f'{mode}.md'}")
        if comparison:
            print(render_comparison(comparison))
    if len(summaries) > 1:
        (folder / "side_by_side.md").write_text(side_by_side(summaries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
