"""The crawled sample archive, published by a real Datasette server: search, funder facet, CSV export."""
from __future__ import annotations

import csv
import io
import json
import urllib.parse

import pytest

from conftest import fetch, serve_archive


@pytest.fixture(scope="module")
def server(crawled, tmp_path_factory):
    with serve_archive(crawled["db"], tmp_path_factory.mktemp("serve") / "serve.log") as base:
        yield base


def get(base: str, path: str, **params: str) -> tuple[int, str]:
    return fetch(f"{base}{path}?{urllib.parse.urlencode(params)}")


def test_search_box_finds_a_project_by_a_word_of_its_description(server):
    status, body = get(server, "/archive/projects.json", _search="Voxnadalens", _shape="objects")
    assert status == 200
    titles = [row["title"] for row in json.loads(body)["rows"]]
    assert titles and all("Voxnadalens" in title for title in titles)


def test_funder_facet_narrows_the_project_list(server):
    _, everything = get(server, "/archive/project_funders.json", _shape="objects", _size="max")
    _, narrowed = get(server, "/archive/project_funders.json", funder="Allmänna arvsfonden", _shape="objects")
    all_rows, rows = json.loads(everything)["rows"], json.loads(narrowed)["rows"]
    assert 0 < len(rows) < len(all_rows)
    assert {row["funder"] for row in rows} == {"Allmänna arvsfonden"}


def test_csv_export_of_projects_holds_the_expected_rows(server):
    status, body = get(server, "/archive/projects.csv", county="Gävleborgs län", _size="max")
    assert status == 200
    header, *rows = list(csv.reader(io.StringIO(body)))
    titles = {row[header.index("title")] for row in rows}
    assert {"Nya vägar Gävleborg", "Vägen till arbete"} <= titles
    assert all(row[header.index("county")] == "Gävleborgs län" for row in rows)
