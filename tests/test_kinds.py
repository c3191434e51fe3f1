"""Every error kind of ../shared/eval/kinds (invented inputs of shapes seen on real pages) and our own variants of
each kind (tests/files/kinds_variants/) give their expected result (tests/files/kinds_expected.json).

What this proves: each shape of Swedish text or layout is read as the README of the kinds says, in the original
and in at least one other wording. It does not prove that the rules generalise to real pages: the scorer on
../shared/eval/dev and the held-out pages measure that.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import SHARED, TESTS
from pipelines.extract.files import extract_files

KINDS = SHARED / "eval" / "kinds"
VARIANTS = TESTS / "files" / "kinds_variants"
EXPECTED = json.loads((TESTS / "files" / "kinds_expected.json").read_text("utf-8"))
VARIANT_EXPECTED = json.loads((VARIANTS / "expected.json").read_text("utf-8"))
# Kinds the extractor does not yet read as expected: strict, so a fixed kind must leave this list.
NOT_YET: frozenset[str] = frozenset()
CASES = [KINDS / name for name in EXPECTED if not name.startswith("_")] + [
    VARIANTS / name for name in VARIANT_EXPECTED if not name.startswith("_")]


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    """The extractor's record of every kind and variant file, read in one batch."""
    return {Path(r["file"]).name: r for r in extract_files(CASES)}


def _names(entity) -> list[str]:
    return [entity.get("name"), entity.get("mention")] if isinstance(entity, dict) else []


def _digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def problems(record: dict, expected: dict, name_match) -> list[str]:
    """What in a record differs from the expected result (empty when it matches)."""
    out = []
    if bool(record["is_project_page"]) != expected["is_project_page"]:
        return [f"is_project_page {record['is_project_page']}"]
    projects = record["projects"]
    funders = [_names(f) for p in projects for f in p["funders"]]
    owners = [_names(p["owner"]) for p in projects if p["owner"]]
    partners = [_names(f) for p in projects for f in p["partners"]] + owners
    for key, found in (("funders", funders), ("partners", partners)):
        for name in expected.get(key, []):
            if not any(name_match(f, [name]) for f in found):
                out.append(f"{key}: {name} missing from {found}")
        for name in expected.get(f"no_{key}", []):
            if any(name_match(f, [name]) for f in found):
                out.append(f"{key}: {name} should not be found")
        if expected.get(f"{key}_only"):
            extra = [f for f in found if not any(name_match(f, [n]) for n in expected[key])]
            if extra:
                out.append(f"{key}: unexpected {extra}")
    if "owner" in expected:
        if expected["owner"] is None and owners:
            out.append(f"owner should be none, got {owners}")
        elif expected["owner"] and not any(name_match(o, [expected["owner"]]) for o in owners):
            out.append(f"owner {expected['owner']} missing from {owners}")
    for name in expected.get("no_owner", []):
        if any(name_match(o, [name]) for o in owners):
            out.append(f"owner should not be {name}")
    for key in ("start", "end"):
        if key in expected:
            values = {p[key] for p in projects if p[key]}
            want = expected[key]
            if want is None and values or want and not any(v.startswith(want) and len(v) >= len(want) for v in values):
                out.append(f"{key}: want {want}, got {values}")
    if "budget" in expected:
        budgets = {p["budget_sek"] for p in projects if p["budget_sek"]}
        if expected["budget"] is None and budgets or expected["budget"] and expected["budget"] not in budgets:
            out.append(f"budget: want {expected['budget']}, got {budgets}")
    contacts = [c for p in projects for c in p["contacts"]]
    for want in expected.get("contacts", []):
        match = next((c for c in contacts if c.get("name") == want["name"]), None)
        if match is None:
            out.append(f"contact {want['name']} missing from {[c.get('name') for c in contacts]}")
            continue
        if want.get("role") and (match.get("role") or "").lower() != want["role"].lower():
            out.append(f"contact {want['name']}: role {match.get('role')}")
        if want.get("email") and match.get("email") != want["email"]:
            out.append(f"contact {want['name']}: email {match.get('email')}")
        if want.get("phone") and _digits(match.get("phone"))[-7:] != _digits(want["phone"])[-7:]:
            out.append(f"contact {want['name']}: phone {match.get('phone')}")
    for name in expected.get("no_contacts", []):
        if any(c.get("name") == name for c in contacts):
            out.append(f"contact {name} should not be found")
    if "titles" in expected and sorted(p["title"] for p in projects) != sorted(expected["titles"]):
        out.append(f"titles: want {expected['titles']}, got {[p['title'] for p in projects]}")
    if "projects" in expected and len(projects) != expected["projects"]:
        out.append(f"projects: want {expected['projects']}, got {[p['title'] for p in projects]}")
    return out


@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.xfail(strict=True, reason="not yet read as expected"))
                                  if p.name in NOT_YET else p for p in CASES], ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_kind_gives_its_expected_result(path, records, name_match):
    expected = (EXPECTED if path.parent == KINDS else VARIANT_EXPECTED)[path.name]
    assert problems(records[path.name], expected, name_match) == []


def test_every_kind_has_a_variant_of_our_own():
    kinds = {name.split("_")[0] for name in EXPECTED if not name.startswith("_")}
    covered = {name.split("_")[0] for name in VARIANT_EXPECTED if not name.startswith("_")}
    assert kinds - covered == set()


def test_the_checker_fails_on_a_wrong_record(name_match):
    record = {"is_project_page": True, "projects": [{"funders": [{"name": "Interreg", "mention": "Interreg"}],
              "partners": [], "owner": None, "start": "2022", "end": None, "budget_sek": None, "contacts": []}]}
    found = problems(record, EXPECTED["FU4_programme_truncated.txt"], name_match)
    assert any("Interreg Fjällbryggan missing" in p for p in found) and any("Interreg should not" in p for p in found)
