"""The manifest requires only what installs everywhere; the local engine's pins live in one place."""

import json
from pathlib import Path

from custom_components.local_llm_assist.const import LOCAL_ENGINE_REQUIREMENTS

ROOT = Path(__file__).resolve().parent.parent


def requirement_lines(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def manifest_requirements() -> list[str]:
    manifest = json.loads((ROOT / "custom_components" / "local_llm_assist" / "manifest.json").read_text())
    return list(manifest["requirements"])


def test_manifest_requirements_match_requirements_runtime() -> None:
    assert manifest_requirements() == requirement_lines(ROOT / "requirements_runtime.txt")


def test_native_packages_are_installed_on_demand_not_required() -> None:
    """llama-cpp-python builds from source (no compiler on Home Assistant OS): never a manifest requirement."""
    names = {line.split("==")[0] for line in manifest_requirements()}
    assert names.isdisjoint({"llama-cpp-python", "faster-whisper", "wandb"})


def test_on_demand_requirements_match_requirements_local_engine() -> None:
    """What the integration installs on demand is what the test environment installs."""
    assert list(LOCAL_ENGINE_REQUIREMENTS) == requirement_lines(ROOT / "requirements_local_engine.txt")


# What HACS's validator reads: the repository's licence, hacs.json's known keys, the manifest's required keys.
HACS_JSON_KEYS = {"name", "content_in_root", "zip_release", "filename", "hide_default_branch", "country"}
HACS_JSON_KEYS |= {"homeassistant", "hacs", "render_readme", "persistent_directory"}
MANIFEST_KEYS = {"domain", "name", "documentation", "issue_tracker", "codeowners", "version", "iot_class"}


def test_repository_has_an_mit_licence() -> None:
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License")
    assert "local_llm_assist contributors" in licence


def test_hacs_json_and_manifest_have_what_hacs_checks() -> None:
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert set(hacs) <= HACS_JSON_KEYS and hacs["name"]
    manifest = json.loads((ROOT / "custom_components" / "local_llm_assist" / "manifest.json").read_text())
    assert set(manifest) >= MANIFEST_KEYS
    assert list(manifest)[:2] == ["domain", "name"] and list(manifest)[2:] == sorted(list(manifest)[2:])
    assert (ROOT / "custom_components" / "local_llm_assist" / "brand" / "icon.png").is_file()
