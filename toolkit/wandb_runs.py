"""Starting a Weights & Biases run the way every toolkit job logs: one folder, no console capture.

Offline unless asked: the run is written under `folder` and `wandb sync` uploads it later. The API
key is read by wandb itself from the environment; it is never put in a config or a log line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def start_run(*, project: str, name: str, folder: Path, online: bool, config: dict[str, Any], job_type: str) -> Any:
    """A started wandb run (wandb is imported here: it is heavy and only needed when logging)."""
    import wandb

    return wandb.init(
        project=project,
        name=name,
        dir=str(folder),
        mode="online" if online else "offline",
        config=config,
        job_type=job_type,
        settings=wandb.Settings(console="off", x_disable_stats=True),  # no captured output, no system stats
    )
