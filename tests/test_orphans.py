"""Home Assistant killed outright (SIGKILL) leaves no worker behind, even mid-generation."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from toolkit.models import SMOKE_LLM

PARENT = Path(__file__).resolve().parent / "orphan_parent.py"
EXIT_WITHIN = 5.0  # seconds; the generation it interrupts would run for a minute or more


def is_running(pid: int) -> bool:
    """Alive and not a zombie (an orphan may be re-parented to a PID 1 that never reaps it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_worker_exits_when_its_parent_is_killed_mid_generation() -> None:
    parent = subprocess.Popen([sys.executable, str(PARENT), str(SMOKE_LLM)], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    worker_pid = int(parent.stdout.readline())
    try:
        assert is_running(worker_pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + EXIT_WITHIN
        while is_running(worker_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not is_running(worker_pid), f"worker {worker_pid} outlived Home Assistant by {EXIT_WITHIN} s"
    finally:
        if is_running(worker_pid):
            os.kill(worker_pid, signal.SIGKILL)
