"""Consecutive failures of an engine, reported once when they become a problem and once when it is over."""

from __future__ import annotations

from collections.abc import Callable

# Two failed requests in a row: the server is down or misconfigured, not just busy for a moment.
FAILURES_BEFORE_ALERT = 2


class HealthMonitor:
    """Calls `on_change(False)` when failures reach the threshold and `on_change(True)` on the next success."""

    def __init__(self, on_change: Callable[[bool], None] | None = None, threshold: int = FAILURES_BEFORE_ALERT) -> None:
        self._on_change = on_change
        self._threshold = threshold
        self.consecutive_failures = 0

    def failed(self) -> None:
        self.consecutive_failures += 1
        if self.consecutive_failures == self._threshold and self._on_change:
            self._on_change(False)

    def succeeded(self) -> None:
        if self.consecutive_failures >= self._threshold and self._on_change:
            self._on_change(True)
        self.consecutive_failures = 0
