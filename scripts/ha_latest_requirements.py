"""Print the test plugin's requirements, less its Home Assistant pin, for the newest Home Assistant.

pytest-homeassistant-custom-component pins the Home Assistant release it was made for and that
release's versions of shared packages (pydantic, numpy...). Testing a newer Home Assistant, the
plugin's pin on Home Assistant is dropped and, for every package Home Assistant itself pins
(package_constraints.txt, given as the argument), the name alone is printed so that Home
Assistant's version wins. Run by scripts/ha_latest inside the chroot; standard library only.
"""

from __future__ import annotations

import re
import sys
from importlib.metadata import requires
from pathlib import Path

PLUGIN = "pytest-homeassistant-custom-component"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(line: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return canonical(match.group(1)) if match else ""


def plugin_requirements(constraints: Path) -> list[str]:
    pinned_by_home_assistant = {requirement_name(line) for line in constraints.read_text().splitlines()}
    lines = []
    for requirement in requires(PLUGIN) or []:
        name = requirement_name(requirement)
        if name == "homeassistant" or ";" in requirement and "extra ==" in requirement:
            continue
        lines.append(name if name in pinned_by_home_assistant else requirement)
    return sorted(set(lines))


if __name__ == "__main__":
    print("\n".join(plugin_requirements(Path(sys.argv[1]))))
