"""A dead worker's exit status names the cause the user is told."""

from __future__ import annotations

import signal

import pytest

from custom_components.local_llm_assist.engine.crash import CrashCause, crash_cause, describe_exit


@pytest.mark.parametrize(
    ("killed_by", "cause", "description"),
    [
        (signal.SIGILL, CrashCause.ILLEGAL_INSTRUCTION, "illegal instruction (SIGILL)"),
        (signal.SIGSEGV, CrashCause.SEGMENTATION_FAULT, "invalid memory access (SIGSEGV)"),
        (signal.SIGBUS, CrashCause.BUS_ERROR, "bus error (SIGBUS)"),
        (signal.SIGKILL, CrashCause.KILLED, "killed, likely out of memory (SIGKILL)"),
        (signal.SIGABRT, CrashCause.ABORTED, "aborted (SIGABRT)"),
        (signal.SIGFPE, CrashCause.ARITHMETIC_ERROR, "arithmetic error (SIGFPE)"),
        (signal.SIGTERM, CrashCause.OTHER_SIGNAL, "terminated (SIGTERM)"),
    ],
)
def test_death_by_signal(killed_by: signal.Signals, cause: CrashCause, description: str) -> None:
    assert crash_cause(-killed_by) is cause
    assert describe_exit(-killed_by) == description


@pytest.mark.parametrize("returncode", [0, 1, None])
def test_exit_without_a_signal(returncode: int | None) -> None:
    assert crash_cause(returncode) is CrashCause.EXITED
    assert describe_exit(returncode) == f"exit code {returncode}"


def test_a_signal_number_python_does_not_know() -> None:
    assert crash_cause(-99) is CrashCause.OTHER_SIGNAL
    assert describe_exit(-99) == "signal 99"
