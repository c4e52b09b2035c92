"""No two modules of the integration (or of the scripts) import each other, directly or around a loop.

A cycle makes the import order matter and hides which module is the lower layer. The graph is
read from the source (every import statement, including those only for type checking), and
importing `a.b.c` counts as importing the packages `a` and `a.b` too, as Python runs them first;
except a module's own parent packages, which are always running by then (an `__init__` that
imports its own submodules is how a package works, not a loop).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (ROOT / "custom_components" / "local_llm_assist", ROOT / "scripts", ROOT / "toolkit")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The known modules `path` imports, with the packages above each."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            targets = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for target in targets:
            parts = target.split(".")
            found.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))
    own = module_name(path).split(".")
    ancestors = {".".join(own[:end]) for end in range(1, len(own))}
    return (found & known) - ancestors


def import_graph() -> dict[str, set[str]]:
    files = [path for package in PACKAGES if package.exists() for path in package.rglob("*.py")]
    known = {module_name(path) for path in files}
    return {module_name(path): imports_of(path, known) - {module_name(path)} for path in files}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One loop per strongly connected group of modules (Tarjan's algorithm), for the message."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while (member := stack.pop()) != node:
                group.append(member)
            group.append(node)
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_import_cycles() -> None:
    graph = import_graph()
    assert len(graph) > 50
    assert cycles(graph) == []


def test_tests_and_toolkit_do_not_import_scripts() -> None:
    """scripts/ holds commands; what they share with the tests is in toolkit/."""
    files = [*(ROOT / "tests").rglob("*.py"), *(ROOT / "toolkit").rglob("*.py")]
    known = {module_name(path) for path in (ROOT / "scripts").rglob("*.py")}
    assert len(files) > 50 and "scripts.bench" in known
    assert {str(path.relative_to(ROOT)): imports_of(path, known) for path in files if imports_of(path, known)} == {}


def test_the_check_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
