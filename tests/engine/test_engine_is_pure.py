"""The engine and the skills' own logic must stay free of Home Assistant: they are plain libraries."""

import ast
from pathlib import Path

INTEGRATION = Path(__file__).resolve().parents[2] / "custom_components" / "local_llm_assist"
ENGINE = INTEGRATION / "engine"
SKILLS = INTEGRATION / "skills"


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def homeassistant_imports(files: list[Path]) -> dict[str, list[str]]:
    offenders = {
        str(path.relative_to(INTEGRATION)): sorted(
            m for m in imported_modules(path) if m.split(".")[0] in ("homeassistant", "voluptuous")
        )
        for path in files
    }
    return {name: mods for name, mods in offenders.items() if mods}


def test_no_engine_module_imports_homeassistant() -> None:
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) >= 6
    assert homeassistant_imports(files) == {}


def test_skill_logic_beside_its_tool_imports_no_homeassistant() -> None:
    """In skills/<skill>/, only tool.py is Home Assistant's side; the logic beside it is plain Python."""
    files = sorted(path for path in SKILLS.glob("*/*.py") if path.name != "tool.py")
    assert len(files) >= 9  # an __init__ and at least one logic module per skill with logic
    assert homeassistant_imports(files) == {}


def test_the_check_would_catch_an_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from homeassistant.core import HomeAssistant\nimport homeassistant.helpers.llm\n")
    assert imported_modules(bad) == {"homeassistant.core", "homeassistant.helpers.llm"}
