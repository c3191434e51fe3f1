"""Module dependencies run one way: scraper/ may import pipelines/, never the reverse, and no module cycles."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from graphlib import CycleError, TopologicalSorter
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("scraper", "pipelines")


def module_name(path: Path) -> str:
    """Dotted module name of a file under ROOT ("scraper/spiders/site.py" -> "scraper.spiders.site")."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Each project module -> the project modules it imports anywhere (top level or inside functions)."""
    files = {module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}

    def resolve(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {resolve(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    package = module.split(".")[: -node.level + (path.name == "__init__.py") or None]
                    base = ".".join([*package, *([base] if base else [])])
                targets |= {resolve(f"{base}.{alias.name}") or resolve(base) for alias in node.names}
        graph[module] = targets - {None, module}
    return graph


def test_pipelines_never_import_scraper() -> None:
    graph = import_graph()
    wrong = {module: sorted(t for t in targets if t.startswith("scraper"))
             for module, targets in graph.items() if module.startswith("pipelines")}
    assert {module: targets for module, targets in wrong.items() if targets} == {}


def test_no_import_cycles() -> None:
    graph = import_graph()
    assert "scraper.spiders.site" in graph and "pipelines.urls" in graph["scraper.spiders.site"]
    try:
        TopologicalSorter(graph).static_order()
    except CycleError as error:
        raise AssertionError(f"import cycle: {' -> '.join(error.args[1])}") from None


def test_every_imported_package_is_declared_with_bounds() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    declared = {re.split(r"[<>=!~ \[;]", requirement)[0].lower().replace("_", "-"): requirement
                for requirement in project["dependencies"]}
    assert all(re.search(r"[<>=~]", requirement) for requirement in declared.values()), declared
    distributions = packages_distributions()
    imported = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Import):
                    imported |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    imported.add(node.module.split(".")[0])
    third_party = sorted(name for name in imported - set(PACKAGES) if name not in sys.stdlib_module_names)
    undeclared = {name: distributions.get(name) for name in third_party
                  if not {d.lower().replace("_", "-") for d in distributions.get(name, [])} & set(declared)}
    assert undeclared == {}
