"""Every pattern file loads into a span_ruler with validation, and each label finds its gold mentions."""
from __future__ import annotations

from pathlib import Path

import pytest
import spacy
import srsly

from pipelines.extract.gazetteer import build, genitive
from pipelines.extract.registry import load_registry
from pipelines.urls import host_of

PATTERNS = Path(__file__).resolve().parents[1] / "pipelines" / "patterns"
PATTERN_FILES = sorted(PATTERNS.glob("*.jsonl"))
GAZETTEER_FILES = [PATTERNS / name for name in ("organisations.jsonl", "funders.jsonl", "actors.jsonl")]
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="module")
def ruler_nlp() -> spacy.Language:
    nlp = spacy.blank("sv")
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": "orgs", "phrase_matcher_attr": "LOWER", "validate": True,
                                               "spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"}})
    for path in GAZETTEER_FILES:
        ruler.add_patterns(list(srsly.read_jsonl(path)))
    return nlp


@pytest.mark.parametrize("path", PATTERN_FILES, ids=lambda p: p.name)
def test_pattern_file_is_valid(path: Path) -> None:
    nlp = spacy.blank("sv")
    ruler = nlp.add_pipe("span_ruler", config={"validate": True})
    patterns = list(srsly.read_jsonl(path))
    assert patterns and all({"label", "pattern", "id"} <= set(p) for p in patterns)
    ruler.add_patterns(patterns)


def test_every_pattern_id_is_in_the_registry() -> None:
    registry = load_registry()
    ids = {p["id"] for path in PATTERN_FILES for p in srsly.read_jsonl(path) if p["id"]}
    assert not ids - set(registry.by_id)


@pytest.mark.parametrize("sentence, mention, org_id", [
    ("Projektet drivs av Storumans kommun.", "Storumans kommun", "kommun/2421"),
    ("Ett samarbete med Borås stad och andra.", "Borås stad", "kommun/1490"),
    ("Pengar kommer från Region Jämtland Härjedalen.", "Region Jämtland Härjedalen", "region/23"),
    ("Medfinansiär är Västra Götalandsregionen.", "Västra Götalandsregionen", "region/14"),
    ("Beslut av Länsstyrelsen i Dalarnas län i dag.", "Länsstyrelsen i Dalarnas län", "lansstyrelse/20"),
    ("Stöd från Länsstyrelsen Västernorrland.", "Länsstyrelsen Västernorrland", "lansstyrelse/22"),
    ("Forskare vid Umeå universitet deltar.", "Umeå universitet", "agency/umea-universitet"),
    ("Arbetsförmedlingen är partner.", "Arbetsförmedlingen", "agency/arbetsformedlingen"),
])
def test_organisations_are_found_and_linked(ruler_nlp, sentence: str, mention: str, org_id: str) -> None:
    doc = ruler_nlp(sentence)
    assert (mention, org_id) in {(s.text, s.id_) for s in doc.spans["orgs"]}


@pytest.mark.parametrize("sentence, mention, org_id", [
    ("Projektet finansieras av Europeiska socialfonden.", "Europeiska socialfonden", "fund/esf"),
    ("Med stöd ur ESF+ och ERUF.", "ESF+", "fund/esf"),
    ("Med stöd ur ESF+ och ERUF.", "ERUF", "fund/eruf"),
    ("Ett projekt inom Interreg Aurora.", "Interreg Aurora", "programme/interreg-aurora"),
    ("Finansieras av Interreg Sverige-Norge.", "Interreg Sverige-Norge", "programme/interreg-sverige-norge"),
    ("Stöd från Leader Sjö, skog och fjäll i år.", "Leader Sjö", "leader-area"),
    ("Beviljat av Allmänna arvsfonden.", "Allmänna arvsfonden", "fund/arvsfonden"),
    ("Medfinansieras av Europeiska unionen.", "Europeiska unionen", "eu/eu"),
    ("Stödet kommer från Jordbruksverket.", "Jordbruksverket", "agency/statens-jordbruksverk"),
    ("Pengar från Asyl-, migrations- och integrationsfonden.", "Asyl-, migrations- och integrationsfonden", "fund/amif"),
    ("Samordningsförbundet Västra Skaraborg bidrar.", "Samordningsförbundet Västra Skaraborg", "samordningsforbund"),
    ("Tillsammans med Trøndelag fylkeskommune.", "Trøndelag fylkeskommune", "fylke/trondelag"),
])
def test_funders_are_found_and_linked(ruler_nlp, sentence: str, mention: str, org_id: str) -> None:
    doc = ruler_nlp(sentence)
    assert (mention, org_id) in {(s.text, s.id_) for s in doc.spans["orgs"]}


@pytest.mark.parametrize("sentence", ["Vi har en sida om mark och vatten.", "Det gäller hela länet."])
def test_common_words_are_not_organisations(ruler_nlp, sentence: str) -> None:
    doc = ruler_nlp(sentence)
    assert [s.text for s in doc.spans["orgs"] if s.label_ != "PLACE"] == []


def test_helpers() -> None:
    assert genitive("Tillväxtverket") == "Tillväxtverkets"
    assert genitive("Borås") == "Borås"
    assert host_of("https://www.gellivare.se/") == "gellivare.se"


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="reference data not available")
def test_build_covers_all_organisations() -> None:
    patterns, registry = build(SHARED_DATA)
    kinds = [r["kind"] for r in registry]
    assert kinds.count("municipality") == 290 and kinds.count("region") == 21 and kinds.count("county_board") == 22
    assert len({r["id"] for r in registry}) == len(registry)
