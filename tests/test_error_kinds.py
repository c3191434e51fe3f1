"""The crawl_errors kinds the code records are the ones the schema defines (pipelines/data/schema.yml, the `kind`
column's description, which Datasette shows beside the column)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from pipelines.store import schema

REPO = Path(__file__).resolve().parents[1]
# Calls that record a crawl error, and the position of their kind argument.
KIND_ARGUMENT = {"_loss": 2, "_error": 2, "record_error": 3, "Loss": 0, "_disallow_all": 1}
KIND_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


def defined_kinds() -> set[str]:
    """The kinds the schema's description names: each entry's first word, parenthesised definitions left out."""
    description = schema()["tables"]["crawl_errors"]["columns"]["kind"][1]
    return set(re.findall(r"(?:^|[,;]\s*|\s+or\s+)(?:or\s+)?([a-z][a-z0-9_]*)", re.sub(r"\([^)]*\)", "", description)))


def _recording_calls(tree: ast.AST) -> list[ast.Call]:
    """The calls in `tree` that record a crawl error."""
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call) and len(node.args) > KIND_ARGUMENT.get(
        getattr(node.func, "attr", getattr(node.func, "id", None)), 99)]


def _kind_values(function: ast.AST) -> list[ast.AST]:
    """Values a function that records errors gives `kind`: `kind = ...`, `kind, message = ..., ...`, and
    {"error": ..., "kind": ...} records."""
    values: list[ast.AST] = []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == "kind":
                    values.append(node.value)
                elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    values += [value for element, value in zip(target.elts, node.value.elts)
                               if isinstance(element, ast.Name) and element.id == "kind"]
        elif isinstance(node, ast.Dict):
            keys = {key.value: value for key, value in zip(node.keys, node.values) if isinstance(key, ast.Constant)}
            if "error" in keys and "kind" in keys:
                values.append(keys["kind"])
    return values


def recorded_kinds() -> dict[str, str]:
    """{kind: where} for every literal kind the code records: the kind argument of the recording calls (with a
    default inside it), and the kinds set in the functions around them or in the modules that make them (f-strings
    such as http_{status // 100}xx left out)."""
    found: dict[str, str] = {}
    for path in [*REPO.glob("scraper/**/*.py"), *REPO.glob("pipelines/**/*.py")]:
        module = ast.parse(path.read_text("utf-8"))
        calls = _recording_calls(module)
        if not calls:
            continue
        candidates = [call.args[KIND_ARGUMENT[getattr(call.func, "attr", getattr(call.func, "id", None))]]
                      for call in calls]
        candidates += [value for function in ast.walk(module) if isinstance(function, ast.FunctionDef)
                       and _recording_calls(function) for value in _kind_values(function)]
        candidates += [value for node in ast.walk(module) if isinstance(node, ast.Dict) for value in _kind_values(node)]
        for candidate in candidates:
            if isinstance(candidate, ast.JoinedStr):
                continue
            if isinstance(candidate, ast.Call) and getattr(candidate.func, "attr", None) == "get":
                candidate = candidate.args[-1]  # record.get("kind", "parse"): the default
            for constant in ast.walk(candidate):
                if isinstance(constant, ast.Constant) and isinstance(constant.value, str) \
                        and KIND_RE.match(constant.value):
                    found.setdefault(constant.value, f"{path.relative_to(REPO)}:{constant.lineno}")
    return found


def test_the_scan_finds_the_kinds_it_should() -> None:
    assert {"sitemap", "sitemap_gzip", "self_redirect", "robots_5xx", "dns", "empty_text", "binary", "store",
            "parse"} <= set(recorded_kinds())


def test_every_recorded_kind_is_defined_in_the_schema() -> None:
    undefined = {kind: where for kind, where in recorded_kinds().items() if kind not in defined_kinds()}
    assert not undefined, f"crawl_errors kinds recorded but not defined in schema.yml: {undefined}"
