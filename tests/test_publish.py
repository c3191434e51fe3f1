"""Publishing: generated metadata.yml, canned queries, search and facets in-process and on a real server."""
from __future__ import annotations

import asyncio
import csv
import html
import io
import json
import urllib.parse
from pathlib import Path

import pytest
import yaml
from datasette.app import Datasette

from conftest import fetch, inprocess_datasette, serve_archive
from pipelines.store import open_archive, schema, store_page, store_site
from scraper.metadata import build_metadata, render_metadata
from scraper.publish import DATASETTE_SETTINGS

NOW = "2024-05-02T08:00:00+00:00"
METADATA = Path(__file__).resolve().parents[1] / "metadata.yml"  # the checkout's, written by build-metadata

ESF = {"id": "esf", "name": "Europeiska socialfonden", "kind": "eu_fund", "mention": "ESF+",
       "evidence": "Projektet finansieras av Europeiska socialfonden (ESF+)."}
LEADER = {"id": "leader-halsingebygden", "name": "Leader Hälsingebygden", "kind": "programme",
          "mention": "Leader Hälsingebygden", "evidence": "Projektet får stöd från Leader Hälsingebygden."}

# (site, page, projects): an ESF project in Norrbotten, two Leader projects in Gävleborg, an Interreg one.
ARCHIVE = [
    ({"id": "2523", "name": "Gällivare kommun", "kind": "municipality", "kommunkod": "2523", "county_code": "25",
      "county": "Norrbottens län", "base_url": "https://www.gellivare.se", "host": "www.gellivare.se"},
     {"url": "https://www.gellivare.se/projekt/framtidens-arbetsmarknad", "title": "Framtidens arbetsmarknad",
      "text": "Framtidens arbetsmarknad i Malmfälten pågår 2023-09 till 2026-08.", "http_status": 200,
      "is_project_page": 1},
     [{"title": "Framtidens arbetsmarknad i Malmfälten",
       "summary": "Unga i Malmfälten får stöd att hitta vägar till arbete och studier.",
       "funders": [ESF], "partners": [{"id": "arbetsformedlingen", "name": "Arbetsförmedlingen", "kind": "agency"}],
       "owner": {"id": "gallivare-kommun", "name": "Gällivare kommun", "kind": "municipality"},
       "start": "2023-09", "end": "2026-08", "period_evidence": "Projektet pågår från september 2023 till augusti 2026.",
       "budget_sek": 12_400_000, "budget_evidence": "Budgeten är 12,4 miljoner kronor.",
       "contacts": [{"name": "Anna Lind", "role": "Projektledare", "email": "anna.lind@gellivare.se"}]}]),
    ({"id": "2161", "name": "Ljusdals kommun", "kind": "municipality", "kommunkod": "2161", "county_code": "21",
      "county": "Gävleborgs län", "base_url": "https://www.ljusdal.se", "host": "www.ljusdal.se"},
     {"url": "https://www.ljusdal.se/leader", "title": "Leaderprojekt i Ljusdal",
      "text": "Två projekt med stöd från Leader Hälsingebygden.", "http_status": 200, "is_project_page": 1},
     [{"title": "Mötesplatser i Hälsingebygden", "summary": "Byalag rustar samlingslokaler.",
       "funders": [LEADER], "start": "2024", "end": None, "budget_sek": 850_000},
      {"title": "Digital byapp för Järvsö", "summary": "En app för bygdens evenemang.",
       "funders": [LEADER], "start": "2021-03", "end": "2022-12"}]),
    ({"id": "2583", "name": "Haparanda stad", "kind": "municipality", "kommunkod": "2583", "county_code": "25",
      "county": "Norrbottens län", "base_url": "https://www.haparanda.se", "host": "www.haparanda.se"},
     {"url": "https://www.haparanda.se/granslos-turism", "title": "Gränslös turism",
      "text": "Interreg Aurora finansierar turismsamarbete i Tornedalen.", "http_status": 200,
      "is_project_page": 1},
     [{"title": "Gränslös turism i Tornedalen",
       "summary": "Samarbete <b>över gränsen</b> mellan Haparanda och Torneå.",
       "funders": [{"id": "interreg-aurora", "name": "Interreg Aurora", "kind": "programme"},
                   {"id": "region-norrbotten", "name": "Region Norrbotten", "kind": "region"}],
       "partners": [{"id": "tornio-stad", "name": "Tornio stad", "kind": "municipality"}],
       "start": "2023-01-01", "end": "2025-12-31", "budget_sek": 4_000_000}]),
]
PROJECTS = 4

# Each canned query's parameters and how many rows the archive above gives.
QUERY_CASES = {
    "search": ({"q": "turism"}, 2),
    "funding_by_county_and_year": ({}, 3),
    "shared_projects": ({}, 1),
    "new_or_changed_since": ({"since": "2024-01-01"}, PROJECTS),
    "projects_by_funder": ({"funder": "socialfonden"}, 1),
    "active_projects_on_date": ({"date": "2024-01-15"}, 3),
    "funders": ({}, 4),
    "projects_with_roles": ({}, PROJECTS),
}


def build_archive(path: Path) -> Path:
    """An archive at `path` holding ARCHIVE."""
    db = open_archive(path)
    for site, page, projects in ARCHIVE:
        store_site(db, site, NOW)
        store_page(db, site["id"], page, projects, NOW)
    db.close()
    return path


@pytest.fixture(scope="module")
def datasette(tmp_path_factory: pytest.TempPathFactory) -> Datasette:
    """Datasette in-process on an archive served as "kommun", with metadata generated for that name."""
    return inprocess_datasette(build_archive(tmp_path_factory.mktemp("inprocess") / "kommun.db"))


def get(ds: Datasette, path: str, params: dict[str, str] | None = None):
    """GET a path (with query parameters) from Datasette in-process."""
    url = path + ("?" + urllib.parse.urlencode(params) if params else "")
    return asyncio.run(ds.client.get(url))


def get_json(ds: Datasette, path: str, params: dict[str, str] | None = None) -> dict:
    """GET a .json path with rows as objects; assert it answered 200."""
    response = get(ds, path, {**(params or {}), "_shape": "objects"})
    assert response.status_code == 200, response.text
    return response.json()


def test_metadata_yml_is_generated_and_current() -> None:
    assert METADATA.read_text("utf-8") == render_metadata(), "run `kommunarkiv build-metadata`"


def test_every_table_view_and_column_is_described(tmp_path: Path) -> None:
    tables = yaml.safe_load(METADATA.read_text("utf-8"))["databases"]["archive"]["tables"]
    db = open_archive(build_archive(tmp_path / "archive.db"))
    declared = {**schema()["tables"], **schema()["views"]}
    for name, spec in declared.items():
        relation = db.view(name) if name in schema()["views"] else db.table(name)
        assert [c.name for c in relation.columns] == list(spec["columns"]), name
        assert " / " in tables[name]["description"]
        assert set(tables[name]["columns"]) == set(spec["columns"])
        assert all(" / " in text for text in tables[name]["columns"].values()), name
    assert tables["projects"]["columns"]["budget_sek"] == "Project budget or grant, SEK / Budget eller stöd, kronor"


def test_build_metadata_names_the_database() -> None:
    metadata = build_metadata("kommuner")
    assert list(metadata["databases"]) == ["kommuner"]
    assert metadata["databases"]["kommuner"]["license"] == metadata["license"]
    assert metadata["databases"]["kommuner"]["tables"]["projects"]["fts_table"] == "projects_fts"


def test_views_are_created_idempotently(tmp_path: Path) -> None:
    path = build_archive(tmp_path / "archive.db")
    db = open_archive(path)
    assert "project_funders" in db.view_names()
    assert db.execute("select count(*) from project_funders").fetchone()[0] == 5


def test_canned_queries_are_all_tested(datasette: Datasette) -> None:
    assert set(build_metadata()["databases"]["archive"]["queries"]) == set(QUERY_CASES)


@pytest.mark.parametrize("query", QUERY_CASES)
def test_canned_query_answers(datasette: Datasette, query: str) -> None:
    params, expected_rows = QUERY_CASES[query]
    assert get(datasette, f"/kommun/{query}", params).status_code == 200
    assert len(get_json(datasette, f"/kommun/{query}.json", params)["rows"]) == expected_rows


def test_projects_by_funder_gives_the_evidence(datasette: Datasette) -> None:
    [row] = get_json(datasette, "/kommun/projects_by_funder.json", {"funder": "ESF+"})["rows"]
    assert row["title"] == "Framtidens arbetsmarknad i Malmfälten"
    assert row["funder"] == "Europeiska socialfonden"
    assert row["evidence"] == ESF["evidence"]


def test_funders_counts_projects(datasette: Datasette) -> None:
    rows = get_json(datasette, "/kommun/funders.json")["rows"]
    assert (rows[0]["name"], rows[0]["projects"]) == ("Leader Hälsingebygden", 2)


def test_projects_with_roles_lists_funders_and_partners(datasette: Datasette) -> None:
    rows = get_json(datasette, "/kommun/projects_with_roles.json")["rows"]
    tornedalen = next(row for row in rows if row["title"] == "Gränslös turism i Tornedalen")
    assert tornedalen["funders"] == "Interreg Aurora, Region Norrbotten"
    assert tornedalen["partners"] == "Tornio stad"


@pytest.mark.parametrize(("date", "titles"), [
    ("2024-01-15", {"Framtidens arbetsmarknad i Malmfälten", "Mötesplatser i Hälsingebygden",
                    "Gränslös turism i Tornedalen"}),
    ("2026-08-31", {"Framtidens arbetsmarknad i Malmfälten", "Mötesplatser i Hälsingebygden"}),
    ("2026-09-01", {"Mötesplatser i Hälsingebygden"}),
    ("2023-08-31", {"Gränslös turism i Tornedalen"}),
    ("2021-03-01", {"Digital byapp för Järvsö"}),
])
def test_active_projects_compares_partial_dates(datasette: Datasette, date: str, titles: set[str]) -> None:
    rows = get_json(datasette, "/kommun/active_projects_on_date.json", {"date": date})["rows"]
    assert {row["title"] for row in rows} == titles


def test_search_finds_a_project_by_a_word_in_its_title(datasette: Datasette) -> None:
    rows = get_json(datasette, "/kommun/projects.json", {"_search": "Tornedalen"})["rows"]
    assert [row["title"] for row in rows] == ["Gränslös turism i Tornedalen"]


def test_funder_facet_narrows(datasette: Datasette) -> None:
    everything = get_json(datasette, "/kommun/project_funders.json")
    counts = {facet["value"]: facet["count"] for facet in everything["facet_results"]["funder"]["results"]}
    leader = "Jordbruksfonden för landsbygdsutveckling (EJFLU, Leader)"  # the fund behind a Leader area
    assert counts == {leader: 2, "Europeiska socialfonden (ESF)": 1, "Interreg Aurora": 1, "Region Norrbotten": 1}
    narrowed = get_json(datasette, "/kommun/project_funders.json", {"funder": leader})
    assert {row["named_as"] for row in narrowed["rows"]} == {"Leader Hälsingebygden"}
    assert len(narrowed["rows"]) == 2 < len(everything["rows"])
    assert {row["county"] for row in narrowed["rows"]} == {"Gävleborgs län"}


def test_projects_table_narrows_by_funder_through_roles(datasette: Datasette) -> None:
    through = json.dumps({"table": "project_organisations", "column": "organisation_id", "value": "esf"})
    rows = get_json(datasette, "/kommun/projects.json", {"_through": through})["rows"]
    assert [row["title"] for row in rows] == ["Framtidens arbetsmarknad i Malmfälten"]


def test_scraped_text_is_escaped(datasette: Datasette) -> None:
    response = get(datasette, "/kommun/projects", {"_search": "Tornedalen"})
    assert "&lt;b&gt;över gränsen&lt;/b&gt;" in response.text
    assert "<b>över gränsen</b>" not in response.text


def test_publishing_is_read_only(datasette: Datasette) -> None:
    queries = build_metadata()["databases"]["archive"]["queries"].values()
    assert not any(query.get("write") for query in queries)
    assert "plugins" not in build_metadata()
    assert int(DATASETTE_SETTINGS["sql_time_limit_ms"]) > 0
    assert get(datasette, "/kommun.json", {"sql": "delete from projects"}).status_code == 400
    assert {plugin["name"] for plugin in get(datasette, "/-/plugins.json").json()} == {
        "kommunarkiv_search.py", "kommunarkiv_pictures.py", "kommunarkiv_guard.py", "kommunarkiv_facets.py",
        "kommunarkiv_pages.py"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """`kommunarkiv serve` on a built archive.db, as a subprocess on a free port; yields its base URL."""
    directory = tmp_path_factory.mktemp("server")
    with serve_archive(build_archive(directory / "archive.db"), directory / "serve.log") as base:
        yield base


def url(base: str, path: str, params: dict[str, str]) -> str:
    """A full URL with encoded query parameters."""
    return f"{base}{urllib.parse.quote(path)}?{urllib.parse.urlencode(params)}"


def test_server_search_page_finds_project(server: str) -> None:
    status, page = fetch(url(server, "/archive/projects", {"_search": "Malmfälten"}))
    assert status == 200
    assert "Framtidens arbetsmarknad i Malmfälten" in page
    assert "Gränslös turism i Tornedalen" not in page
    assert "Project budget or grant, SEK / Budget eller stöd, kronor" in page


def test_server_funder_facet_narrows(server: str) -> None:
    status, page = fetch(url(server, "/archive/project_funders", {"funder": "Interreg Aurora"}))
    assert status == 200
    assert '1 row where funder = "Interreg Aurora"' in html.unescape(page)
    status, body = fetch(url(server, "/archive/project_funders.json", {"funder": "Interreg Aurora",
                                                                       "_shape": "objects"}))
    assert [row["title"] for row in json.loads(body)["rows"]] == ["Gränslös turism i Tornedalen"]


def test_server_exports_csv(server: str) -> None:
    status, body = fetch(url(server, "/archive/projects.csv", {"county": "Gävleborgs län", "_sort": "title"}))
    assert status == 200
    header, *rows = list(csv.reader(io.StringIO(body)))
    assert header == list(schema()["tables"]["projects"]["columns"])
    assert [row[1] for row in rows] == ["Digital byapp för Järvsö", "Mötesplatser i Hälsingebygden"]


def test_server_exports_canned_query_as_csv(server: str) -> None:
    status, body = fetch(url(server, "/archive/projects_with_roles.csv", {}))
    assert status == 200
    header, *rows = list(csv.reader(io.StringIO(body)))
    assert header[-3:] == ["funders", "partners", "page_url"]
    assert len(rows) == PROJECTS
