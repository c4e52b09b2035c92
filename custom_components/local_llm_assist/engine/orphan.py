"""The worker ends itself as soon as Home Assistant is gone, even in the middle of a generation.

Killed outright (SIGKILL, the out-of-memory killer), Home Assistant closes nothing in order. The
worker runs in its own session, so no signal reaches it either: without this it would finish its
current work (a long generation, a transcription) and only then notice the closed pipe when it
reads the next request. A daemon thread notices instead: a process whose parent dies is
re-parented, so its parent pid changes. llama.cpp and CTranslate2 release the GIL while they
compute, so the thread runs during a generation. PR_SET_PDEATHSIG is no substitute: it fires
when the spawning *thread* ends, and Home Assistant may spawn from executor threads that retire.
"""

from __future__ import annotations

import os
import threading
import time

POLL_INTERVAL = 0.2  # seconds; a getppid() call costs well under a microsecond
ORPHAN_EXIT_CODE = 70  # what a worker reports when it ended itself for having lost its parent


def exit_when_orphaned(parent_pid: int, poll_interval: float = POLL_INTERVAL) -> threading.Thread:
    """Start the watch on `parent_pid` (the pid the worker was started by)."""
    watch = threading.Thread(target=_watch, args=(parent_pid, poll_interval), name="orphan-watch", daemon=True)
    watch.start()
    return watch


def _watch(parent_pid: int, poll_interval: float) -> None:
    while os.getppid() == parent_pid:
        time.sleep(poll_interval)
    # os._exit: no clean-up handlers, no waiting for native threads that are mid-computation.
    os._exit(ORPHAN_EXIT_CODE)
