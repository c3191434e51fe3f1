"""A fund's or programme's own site pays for the projects it lists: the site's fund is their funder when the text
names no payer (crawled pages know their URL; invented text, no crawl)."""
from __future__ import annotations

import pytest

from pipelines.clean import clean_html
from pipelines.extract.engine import Extractor

LIST = ("<html><body><main><h1>Beviljade projekt i maj</h1>"
        "<p>Nordby hembygdsförening får stöd med 1 200 000 kr för ”Bygdens minnen”. Projektet pågår 2025–2027.</p>"
        "<p>Ådalens ungdomsförbund får stöd med 2 400 000 kr för ”Unga röster”. Projektet pågår 2025–2028.</p>"
        "</main></body></html>")


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def funders(extractor: Extractor, url: str) -> list[list[str]]:
    record = next(extractor.extract([clean_html(LIST, url)]))
    return [[f["name"] for f in project["funders"]] for project in record["projects"]]


def test_the_fund_of_the_site_funds_what_it_lists(extractor: Extractor) -> None:
    found = funders(extractor, "https://www.arvsfonden.se/projekt/beviljade-maj")
    assert len(found) == 2 and all(names == ["Allmänna arvsfonden"] for names in found)


def test_a_municipality_site_lends_no_funder(extractor: Extractor) -> None:
    assert all(names == [] for names in funders(extractor, "https://vaxjo.se/nyheter/beviljade-projekt"))
