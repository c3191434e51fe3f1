"""Pages that cannot be project pages are given their record without NLP: the bounds behind that decision never
miss a period, an amount or a project page the full extraction would find."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.classify import is_project_page, may_be_project_page
from pipelines.clean import clean_text
from pipelines.extract.engine import Extractor
from pipelines.extract.dates import find_period, may_state_period
from pipelines.extract.money import item_amount, may_state_amount, project_budget
from pipelines.extract.segment import prepare

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
OWN = Path(__file__).resolve().parent


def _texts() -> list[str]:
    """Every text we have with its facts: real dev pages (read from ../shared), kinds and our variants, gold."""
    texts = [json.loads(p.read_text("utf-8"))["text"] for p in sorted((SHARED / "dev").glob("*.json"))]
    texts += [p.read_text("utf-8") for d in (SHARED / "kinds", OWN / "files" / "kinds_variants")
              for p in sorted(d.glob("*.txt"))]
    texts += [json.loads(p.read_text("utf-8")).get("text", "") for p in sorted((OWN / "gold").glob("*.json"))]
    return [t for t in texts if t]


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture(scope="module")
def texts() -> list[str]:
    found = _texts()
    assert len(found) > 100
    return found


def test_every_period_found_in_any_lines_has_a_year(texts: list[str]) -> None:
    periods = 0
    for text in texts:
        lines = text.splitlines()
        for part in lines + ["\n".join(lines[i:i + 3]) for i in range(len(lines))]:
            if find_period(part):
                periods += 1
                assert may_state_period(part), part
    assert periods > 100  # the check saw real periods


def test_every_amount_found_in_any_lines_is_seen_by_the_probe(texts: list[str]) -> None:
    amounts = 0
    for text in texts:
        lines = [line for line in text.splitlines() if line.strip()]
        for i, line in enumerate(lines):
            pair = lines[i:i + 2]  # a label line joined to the amount on the next line
            if project_budget(pair) or item_amount(line):
                amounts += 1
                assert may_state_amount("\n".join(pair)), pair
    assert amounts > 50


@pytest.mark.parametrize("line", ["Öppettider måndag till fredag 8–16", "Sida 5 av 12", "Ring 0970-123 45",
                                  "Avgiften tas ut per termin", "Kontoret har 14 anställda"])
def test_lines_without_a_year_or_an_amount(line: str) -> None:
    assert not may_state_period(line)
    assert not may_state_amount(line)


@pytest.mark.parametrize("line", ["Budget: 2 350 000", "Budget\n2 350 000", "fem miljoner kronor", "450 kr per månad",
                                  "3,2 MSEK", "40 000 EUR", "Total budget: SEK 4 500 000"])
def test_amounts_are_seen(line: str) -> None:
    assert may_state_amount(line)


def test_every_real_project_page_may_be_one() -> None:
    """No dev page annotated as a project page would be passed over."""
    checked = 0
    for path in sorted((SHARED / "dev").glob("*.json")):
        gold = json.loads(path.read_text("utf-8"))
        if gold.get("is_project_page"):
            page = clean_text(gold["text"], gold.get("url") or "")
            assert may_be_project_page(page, prepare(page).text), path.name
            checked += 1
    assert checked > 40


def test_a_service_page_without_cues_years_or_amounts_is_passed_over() -> None:
    page = clean_text("Hämta sopor\nSoporna hämtas varannan vecka. Ställ kärlet vid tomtgränsen före klockan sex.")
    assert not may_be_project_page(page, prepare(page).text)
    facts = [{"funders": [{"name": "A"}], "partners": [{"name": "B"}], "owner": {"name": "C"}, "start": None,
              "end": None, "budget_sek": None}]
    assert not is_project_page(page, facts)  # the bound: three kinds of facts are not enough without a cue
    with_cue = clean_text("Hämta sopor\nProjektet hämtar soporna varannan vecka med hjälp av kommunen.")
    assert may_be_project_page(with_cue, prepare(with_cue).text)
    with_year = clean_text("Hämta sopor\nSoporna hämtas varannan vecka från och med mars 2025.")
    assert may_be_project_page(with_year, prepare(with_year).text)


def test_a_page_read_without_nlp_gets_the_record_full_extraction_gives(extractor: Extractor) -> None:
    pages = [clean_text("Hämta sopor\nSoporna hämtas varannan vecka. Senast uppdaterad: 2023-04-05", "https://x.se/a"),
             clean_text("Cykelstråk\nProjektet finansieras av Tillväxtverket och pågår 2023–2025.", "https://x.se/b"),
             clean_text("Bibliotek\nBiblioteket har öppet alla dagar utom söndag.", "https://x.se/c")]
    records = list(extractor.extract(pages))
    assert [r["url"] for r in records] == ["https://x.se/a", "https://x.se/b", "https://x.se/c"]
    assert [r["is_project_page"] for r in records] == [False, True, False]
    for page, record in zip(pages, records):
        text = prepare(page)
        assert record == extractor.record(page, text, extractor.nlp(text.text))
