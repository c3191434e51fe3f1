"""The project overview's facets (datasette_plugins/kommunarkiv_facets.py) count what a row-by-row count gives."""
from __future__ import annotations

import asyncio
import json
import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path
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


def build(path: Path) -> Path:
    db = open_archive(path)
    for index, (site, page, projects) in enumerate(ARCHIVE):
        store_site(db, site, NOW)
        store_page(db, site["id"], page, projects + (EXTRA if index == 0 else []), NOW)
    db.close()
    return path


@pytest.fixture(scope="module")
def datasette(tmp_path_factory: pytest.TempPathFactory) -> Datasette:
    return inprocess_datasette(build(tmp_path_factory.mktemp("facets") / "archive.db"))


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


def test_the_whole_view_reads_kept_counts_a_filtered_page_counts(tmp_path: Path) -> None:
    path = build(tmp_path / "archive.db")
    ds = inprocess_datasette(path)
    counties, statuses = facet(ds, "county"), facet(ds, "status")
    assert counties == Counter(row["county"] for row in rows(ds)) and len(counties) == 2
    conn = sqlite3.connect(path)
    with conn:  # kept counts off by 100: the whole view's page shows them, so it read them
        conn.execute("update facet_counts set n = n + 100 where facet in ('county', 'status')")
    assert facet(ds, "county") == {county: n + 100 for county, n in counties.items()}
    assert sum(facet(ds, "status").values()) == sum(statuses.values()) + 100 * conn.execute(
        "select count(*) from facet_counts where facet = 'status'").fetchone()[0]
    county = next(iter(counties))
    assert facet(ds, "county", f"&county={quote_plus(county)}") == {county: counties[county]}  # counted
    with conn:  # kept counts of another number of rows than the page's are not read
        conn.execute("update facet_counts set n = n + 1 where facet = ''")
    assert (facet(ds, "county"), facet(ds, "status")) == (counties, statuses)
    with conn:  # an archive from before kept counts (served read-only as it is) counts its rows
        conn.execute("drop table facet_counts")
    assert (facet(ds, "county"), facet(ds, "status")) == (counties, statuses)
