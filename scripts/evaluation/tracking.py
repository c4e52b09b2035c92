"""Weights & Biases logging of a run: config, summary metrics and a table of every case.

Offline by default: the run is written under the report folder, and `wandb sync <folder>` uploads
it later. Online when WANDB_API_KEY is set and online mode is asked for. The key is read by wandb
itself from the environment; it is never put in the config, the report or a log line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PROJECT = "local-llm-assist-eval"
CASE_COLUMNS: list[str | int] = ["id", "category", "text", "outcome", "detail", "reply", "calls", "changed", "total_ms"]


def summary_metrics(metrics: dict[str, Any]) -> dict[str, float]:
    """Flat numbers for the W&B summary (and for comparing runs in its UI)."""
    summary = {
        "accuracy": metrics["accuracy"]["rate"],
        "accuracy_low": metrics["accuracy"]["low"],
        "accuracy_high": metrics["accuracy"]["high"],
        "sentences": metrics["accuracy"]["n"],
        "false_action_rate": metrics["false_action"]["rate"],
        "invalid_output_rate": metrics["invalid_output"]["rate"],
    }
    for stage, numbers in metrics["latency"].items():
        summary[f"latency_{stage}_p50_ms"] = numbers["p50_ms"]
        summary[f"latency_{stage}_p95_ms"] = numbers["p95_ms"]
    for name, rate in metrics["by_category"].items():
        summary[f"accuracy/{name}"] = rate["rate"]
    summary.update({f"tokens/{name}": float(value) for name, value in metrics["tokens"].items()})
    summary.update({f"outcomes/{name}": float(count) for name, count in metrics["outcomes"].items()})
    return summary


def case_rows(report: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            case["id"],
            case["category"],
            case["text"],
            case["outcome"],
            case["detail"],
            case.get("reply", ""),
            json.dumps(case.get("calls", []), default=str),
            ", ".join(case.get("changed", [])),
            case.get("stages", {}).get("total_ms"),
        ]
        for case in report["cases"]
    ]


def log_run(report: dict[str, Any], folder: Path, online: bool = False) -> Path:
    """Log the run; returns the wandb run folder (…/wandb/offline-run-… when offline)."""
    import wandb  # heavy, and only needed when tracking is on

    run_info = report["run"]
    config = {key: value for key, value in run_info.items() if key not in ("command",)}
    run = wandb.init(
        project=PROJECT,
        name=run_info["name"],
        dir=str(folder),
        mode="online" if online else "offline",
        config=config,
        job_type="eval",
        settings=wandb.Settings(console="off", x_disable_stats=True),
    )
    try:
        run.log({"cases": wandb.Table(columns=CASE_COLUMNS, data=case_rows(report))})
        run.summary.update(summary_metrics(report["metrics"]))
        run_dir = Path(run.dir).parent
    finally:
        run.finish()
    return run_dir
