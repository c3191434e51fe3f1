"""Every canned query answers, with rows, on the crawled sample archive."""
from __future__ import annotations

import asyncio

import pytest

from conftest import inprocess_datasette
from scraper.metadata import build_metadata

# Parameters for each query on the sample sites.
PARAMS = {
    "search": {"q": "turism"},
    "projects_by_funder": {"funder": "Tillväxtverket"},
    "funding_by_county_and_year": {},
    "active_projects_on_date": {"date": "2024-01-15"},
    "shared_projects": {},
    "new_or_changed_since": {"since": "2000-01-01"},
    "funders": {},
    "projects_with_roles": {},
}
QUERIES = build_metadata()["databases"]["archive"]["queries"]


@pytest.fixture(scope="module")
def datasette(crawled):
    return inprocess_datasette(crawled["db"])


def test_every_query_has_parameters_here() -> None:
    assert set(QUERIES) == set(PARAMS)


@pytest.mark.parametrize("query", QUERIES)
def test_canned_query_answers_on_the_crawled_archive(datasette, query: str) -> None:
    response = asyncio.run(datasette.client.get(f"/archive/{query}.json", params={**PARAMS[query], "_shape": "objects"}))
    assert response.status_code == 200, response.text
    assert response.json()["rows"], query
