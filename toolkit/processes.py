"""What a process holds, read from /proc (Linux): resident memory, threads, open files, children.

The soak phase of scripts/stress compares these before and after many reloads and turns: a leak
shows as growth, a leftover as a difference.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

# Home Assistant's executor pools keep their threads for reuse by design: not leftovers.
POOL_THREAD_PREFIXES = ("SyncWorker", "ImportExecutor", "ThreadPoolExecutor", "asyncio_")


@dataclass(frozen=True)
class Holdings:
    """This process's threads (outside the executor pools), open file descriptors and live children."""

    threads: int
    fds: int
    children: int


def own_holdings() -> Holdings:
    threads = [thread for thread in threading.enumerate() if not thread.name.startswith(POOL_THREAD_PREFIXES)]
    return Holdings(len(threads), len(list(Path("/proc/self/fd").iterdir())), len(live_children(os.getpid())))


def rss_mb(pid: int) -> float:
    """Resident memory in MB; 0 for a process that is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def live_children(pid: int) -> list[int]:
    """The process's children that are still running (zombies are not)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            children.append(int(stat.parent.name))
    return children
