"""Where Python's memory grew between two moments, by file and by owner (tracemalloc).

For the soak phase of scripts/stress (`--trace-memory`): resident memory says how much a process
grew, these snapshots say whose code allocated what is still alive. Only allocations made through
Python's allocator are seen (not what native libraries allocate on their own), and tracing makes
the process slower, so a soak that traces is for attribution, not for timing.
"""

from __future__ import annotations

import sysconfig
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

FRAMES = 1  # the allocating line is enough to group by file
OWNERS = (  # first match wins: (part of the path, owner)
    ("/custom_components/local_llm_assist/", "ours: the integration"),
    ("/toolkit/", "ours: the stress harness"),
    ("/testing_config/custom_components/fixture_home/", "ours: the fixture home"),
    ("/pytest_homeassistant_custom_component/", "Home Assistant's test harness"),
    ("/site-packages/homeassistant/", "Home Assistant"),
    ("/site-packages/", "other libraries"),
)


def start() -> None:
    """Trace Python's allocations from now on (slower: for attribution, not timing)."""
    if not tracemalloc.is_tracing():
        tracemalloc.start(FRAMES)


def snapshot() -> tracemalloc.Snapshot:
    return tracemalloc.take_snapshot()


def owner(filename: str) -> str:
    for part, name in OWNERS:
        if part in filename:
            return name
    stdlib = sysconfig.get_paths()["stdlib"]
    return "Python's standard library" if filename.startswith((stdlib, "<frozen")) else "other"


def growth(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, top: int = 15) -> dict[str, Any]:
    """Net growth in MB by owner, and the `top` files that grew most (size in KB, live blocks)."""
    stats = after.compare_to(before, "filename")
    by_owner: Counter[str] = Counter()
    for stat in stats:
        by_owner[owner(stat.traceback[0].filename)] += stat.size_diff
    files = [
        {"file": _short(stat.traceback[0].filename), "kb": round(stat.size_diff / 1024, 1), "blocks": stat.count_diff}
        for stat in sorted(stats, key=lambda stat: stat.size_diff, reverse=True)[:top]
    ]
    return {
        "traced_growth_mb": round(sum(stat.size_diff for stat in stats) / 2**20, 2),
        "by_owner_mb": {name: round(size / 2**20, 2) for name, size in by_owner.most_common()},
        "top_files": files,
    }


def _short(filename: str) -> str:
    """The path from the package on: …/site-packages/homeassistant/core.py → homeassistant/core.py."""
    parts = Path(filename).parts
    for marker in ("site-packages", "custom_components", "toolkit"):
        if marker in parts:
            return "/".join(parts[parts.index(marker) + (marker != "toolkit") :])
    return filename
