"""The manifest's requirements are the ones the test environment installs."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def requirement_lines(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def test_manifest_requirements_match_requirements_runtime() -> None:
    manifest = json.loads((ROOT / "custom_components" / "local_llm_assist" / "manifest.json").read_text())
    assert manifest["requirements"] == requirement_lines(ROOT / "requirements_runtime.txt")
