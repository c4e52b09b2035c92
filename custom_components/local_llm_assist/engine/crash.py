"""Why a worker process died, named from its exit status.

A native crash in llama.cpp or CTranslate2 shows up only as the signal that killed the worker.
Each common signal has a likely cause worth telling the user: an illegal instruction means the
build uses a CPU feature this machine (or its virtual machine) cannot run; SIGKILL is almost
always the kernel's out-of-memory killer.
"""

from __future__ import annotations

import signal
from enum import StrEnum


class CrashCause(StrEnum):
    """What killed the worker; the value is the suffix of the translation keys that explain it."""

    ILLEGAL_INSTRUCTION = "sigill"
    SEGMENTATION_FAULT = "sigsegv"
    BUS_ERROR = "sigbus"
    KILLED = "sigkill"  # most often the out-of-memory killer
    ABORTED = "sigabrt"
    ARITHMETIC_ERROR = "sigfpe"
    OTHER_SIGNAL = "signal"
    EXITED = "exit"  # no signal: the interpreter exited (an import failed, a Python crash)


_BY_SIGNAL: dict[signal.Signals, tuple[CrashCause, str]] = {
    signal.SIGILL: (CrashCause.ILLEGAL_INSTRUCTION, "illegal instruction"),
    signal.SIGSEGV: (CrashCause.SEGMENTATION_FAULT, "invalid memory access"),
    signal.SIGBUS: (CrashCause.BUS_ERROR, "bus error"),
    signal.SIGKILL: (CrashCause.KILLED, "killed, likely out of memory"),
    signal.SIGABRT: (CrashCause.ABORTED, "aborted"),
    signal.SIGFPE: (CrashCause.ARITHMETIC_ERROR, "arithmetic error"),
}


def _signal_of(returncode: int | None) -> signal.Signals | None:
    """asyncio reports a death by signal N as return code -N."""
    if returncode is None or returncode >= 0:
        return None
    try:
        return signal.Signals(-returncode)
    except ValueError:
        return None


def crash_cause(returncode: int | None) -> CrashCause:
    if returncode is None or returncode >= 0:
        return CrashCause.EXITED
    killed_by = _signal_of(returncode)
    known = _BY_SIGNAL.get(killed_by) if killed_by is not None else None
    return known[0] if known else CrashCause.OTHER_SIGNAL


def describe_exit(returncode: int | None) -> str:
    """For logs and error messages: "illegal instruction (SIGILL)", "exit code 1"."""
    if returncode is None or returncode >= 0:
        return f"exit code {returncode}"
    killed_by = _signal_of(returncode)
    if killed_by is None:
        return f"signal {-returncode}"
    known = _BY_SIGNAL.get(killed_by)
    meaning = known[1] if known else (signal.strsignal(killed_by) or "").lower()
    return f"{meaning} ({killed_by.name})"
