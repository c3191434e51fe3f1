"""The project overview's facets (datasette_plugins/kommunarkiv_facets.py) count what a row-by-row count gives."""
from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import date
from urllib.parse import quote_plus

import pytest
from datasette.app import Datasette

from conftest import inprocess_datasette
from pipelines.store import open_archive, store_page, store_site
from test_archive_triggers import LEADER_SOURCE
from test_publish import ARCHIVE, NOW

EXTRA = [  # more projects on the first page: a shared funder, a repeated list, no period, a future start
    {"title": "Malmfältens energi", "funders": [ARCHIVE[0][2][0]["funders"][0], ARCHIVE[1][2][0]["funders"][0]],
     "start": "2020", "end": "2021"},
    {"title": "Malmfältens vatten", "funders": [ARCHIVE[0][2][0]["funders"][0], ARCHIVE[1][2][0]["funders"][0]]},
    {"title": "Malmfältens framtid", "start": str(date.today().year + 2)},
]


@pytest.fixture(scope="module")
def datasette(tmp_path_factory: pytest.TempPathFactory) -> Datasette:
    path = tmp_path_factory.mktemp("facets") / "archive.db"
    db = open_archive(path)
    for index, (site, page, projects) in enumerate(ARCHIVE):
        store_site(db, site, NOW)
        store_page(db, site["id"], page, projects + (EXTRA if index == 0 else []), NOW)
    db.close()
    return inprocess_datasette(path)


def get_json(ds: Datasette, path: str) -> dict:
    response = asyncio.run(ds.client.get(path))
    assert response.status_code == 200, response.text
    return response.json()


def facet(ds: Datasette, name: str, query: str = "") -> dict[str, int]:
    results = get_json(ds, f"/archive/project_overview.json?_size=max{query}")["facet_results"][name]["results"]
    return {item["value"]: item["count"] for item in results}


def rows(ds: Datasette, query: str = "") -> list[dict]:
    return get_json(ds, f"/archive/project_overview.json?_shape=array&_size=max{query}")


def test_status_facet_counts_each_status(datasette: Datasette) -> None:
    expected = Counter(row["status"] for row in rows(datasette))
    assert facet(datasette, "status") == expected
    assert {"planerat", "avslutat", "okänt"} <= set(expected)


def test_funders_facet_counts_projects_per_funder(datasette: Datasette) -> None:
    expected = Counter(name for row in rows(datasette) for name in json.loads(row["funders"]))
    assert facet(datasette, "funders") == expected
    assert expected["Europeiska socialfonden (ESF)"] == 3  # the funding source's name, whatever the page said


def test_facets_follow_filters_and_toggle(datasette: Datasette) -> None:
    filtered = "&county=Norrbottens+l%C3%A4n"
    expected = Counter(name for row in rows(datasette, filtered) for name in json.loads(row["funders"]))
    assert facet(datasette, "funders", filtered) == expected
    results = get_json(datasette, "/archive/project_overview.json")["facet_results"]["funders"]["results"]
    toggle = next(item["toggle_url"] for item in results if item["value"] == LEADER_SOURCE)
    assert f"funders__arraycontains={quote_plus(LEADER_SOURCE)}" in toggle
    assert len(rows(datasette, f"&funders__arraycontains={quote_plus(LEADER_SOURCE)}")) == 4
