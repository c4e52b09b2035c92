"""Statistics shared by the benchmarks, the stress run and the evaluation, so their figures compare."""

from __future__ import annotations

import math
from collections.abc import Iterable


def percentile(values: Iterable[float], share: float) -> float:
    """Nearest-rank percentile (`share` 0.95 for p95): a value that was measured; nan for no values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]
