"""Print what the test environment of the newest Home Assistant needs besides Home Assistant itself.

Run by scripts/ha_latest inside the chroot, with Home Assistant's package_constraints.txt as the
argument; standard library only. Two lists, one requirement a line:

- pytest-homeassistant-custom-component's requirements, less its pin on the Home Assistant release
  it was made for; for every package Home Assistant pins itself, the name alone, so that Home
  Assistant's version (the constraint) wins over the plugin's.
- the requirements of the core integrations the tests and the eval set up, and of everything they
  depend on: Home Assistant installs these at run time (the test plugin does not), and since 2026
  they are no longer among its own dependencies.
"""

from __future__ import annotations

import json
import re
import sys
from importlib.metadata import requires
from pathlib import Path

import homeassistant.components

PLUGIN = "pytest-homeassistant-custom-component"
REPO = Path(__file__).resolve().parent.parent
INTEGRATION_MANIFEST = REPO / "custom_components" / "local_llm_assist" / "manifest.json"
# Set up by the tests and the eval beside the integration's own dependencies.
TESTED_INTEGRATIONS = ("homeassistant", "conversation", "intent", "assist_pipeline", "diagnostics", "script", "wyoming")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(line: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return canonical(match.group(1)) if match else ""


def plugin_requirements(constraints: Path) -> set[str]:
    pinned_by_home_assistant = {requirement_name(line) for line in constraints.read_text().splitlines()}
    lines = set()
    for requirement in requires(PLUGIN) or []:
        name = requirement_name(requirement)
        if name == "homeassistant" or "extra ==" in requirement:
            continue
        lines.add(name if name in pinned_by_home_assistant else requirement)
    return lines


def manifest(domain: str) -> dict[str, list[str]]:
    path = Path(homeassistant.components.__path__[0]) / domain / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else {}


def integration_requirements() -> set[str]:
    ours = json.loads(INTEGRATION_MANIFEST.read_text())
    pending = [*TESTED_INTEGRATIONS, *ours.get("dependencies", []), *ours.get("after_dependencies", [])]
    seen: set[str] = set()
    lines: set[str] = set()
    while pending:
        domain = pending.pop()
        if domain in seen:
            continue
        seen.add(domain)
        found = manifest(domain)
        lines.update(found.get("requirements", []))
        pending += [*found.get("dependencies", []), *found.get("after_dependencies", [])]
    return lines


if __name__ == "__main__":
    print("\n".join(sorted(plugin_requirements(Path(sys.argv[1])) | integration_requirements())))
