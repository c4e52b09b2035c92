"""The engine must stay free of Home Assistant: it is the integration's library."""

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "custom_components" / "local_llm_assist" / "engine"


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_no_engine_module_imports_homeassistant() -> None:
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) >= 6
    offenders = {
        str(path.relative_to(ENGINE)): sorted(m for m in imported_modules(path) if m.split(".")[0] == "homeassistant")
        for path in files
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def test_the_check_would_catch_an_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from homeassistant.core import HomeAssistant\nimport homeassistant.helpers.llm\n")
    assert imported_modules(bad) == {"homeassistant.core", "homeassistant.helpers.llm"}
