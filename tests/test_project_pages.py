"""The project page, the search page and readable tables, in-process on a small invented archive."""
from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from conftest import inprocess_datasette
from pipelines.merge import merge_projects
from pipelines.store import open_archive
from scraper.public import public_copy
from test_personal_data import build

ESF_PROJECT = "Framtidens arbetsmarknad i Malmfälten"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build(tmp_path_factory.mktemp("pages") / "archive.db")
    db = open_archive(path)
    merge_projects(db)
    db.close()
    return path


@pytest.fixture(scope="module")
def datasette(archive: Path):
    return inprocess_datasette(archive)


def get(datasette, path: str, **params: str):
    response = asyncio.run(datasette.client.get(path, params=params))
    assert response.status_code == 200, response.text[:500]
    return response


def project_id(archive: Path, title: str) -> str:
    db = open_archive(archive)
    found = db.execute("select id from project_overview where title = ?", [title]).fetchone()[0]
    db.close()
    return found


def card_titles(html: str) -> list[str]:
    return re.findall(r'class="ka-project-link" href="[^"]*">([^<]*)<', html)


@pytest.mark.parametrize("query", ["ESF", "socialfond", "Svenska ESF-rådet"])
def test_search_page_finds_the_esf_project_by_any_funder_name(datasette, query: str) -> None:
    html = get(datasette, "/-/sok", q=query).text
    assert card_titles(html) == [ESF_PROJECT]
    assert html.index('name="q"') < html.index("ka-project-link")  # the form first
    assert "select " not in html.lower().replace("<select", "")  # no SQL on screen


def test_search_page_filters_by_year_county_and_funder(datasette) -> None:
    html = get(datasette, "/-/sok", year="2024", county="Norrbottens län").text
    assert sorted(card_titles(html)) == [ESF_PROJECT, "Gränslös turism i Tornedalen"]
    assert card_titles(get(datasette, "/-/sok", year="2024", county="Norrbottens län",
                           funder="Europeiska socialfonden (ESF)").text) == [ESF_PROJECT]
    assert "Aktivt år" in html and "Finansiär" in html and 'class="ka-facet-county"' in html


def test_project_page_shows_facts_with_evidence_and_source(datasette, archive: Path) -> None:
    html = get(datasette, f"/-/projekt/{project_id(archive, ESF_PROJECT)}").text
    assert f'<h1 class="ka-title">{ESF_PROJECT}</h1>' in html
    assert "Europeiska socialfonden (ESF)" in html and "förvaltande myndighet: Svenska ESF-rådet" in html
    assert "Projektet finansieras av Europeiska socialfonden (ESF+)." in html  # the evidence sentence
    assert "Arbetsförmedlingen" in html and "(myndighet)" in html  # partner, labelled in Swedish
    assert 'href="https://www.gellivare.se/projekt/framtidens-arbetsmarknad"' in html  # the source page
    assert "sidversion" in html and "Samma projekt på andra webbplatser" in html


def test_project_page_hides_contacts_in_the_public_edition(archive: Path, tmp_path: Path) -> None:
    pid = project_id(archive, "Mötesplatser i Hälsingebygden")
    assert "Kontaktpersoner" in get(inprocess_datasette(archive), f"/-/projekt/{pid}").text
    public = public_copy(archive, tmp_path)
    html = get(inprocess_datasette(public), f"/-/projekt/{pid}").text
    assert "Kontaktpersoner" not in html and "@" not in re.sub(r"<(script|style).*?</\1>", "", html, flags=re.S)


def test_tables_show_lists_as_lists_and_link_titles(datasette) -> None:
    html = get(datasette, "/archive/project_overview").text
    assert '<ul class="ka-list"><li>Interreg Aurora</li><li>Region Norrbotten</li></ul>' in html
    assert re.search(r'<a href="/-/projekt/[0-9a-f]+">Gränslös turism i Tornedalen</a>', html)
    assert "Kolumnbeskrivningar" in html and ">pågående<" in html


def test_excel_link_gives_every_filtered_row_as_swedish_excel_csv(datasette) -> None:
    assert 'href="/archive/project_overview.excel"' in get(datasette, "/archive/project_overview").text
    response = get(datasette, "/archive/project_overview.excel", county="Norrbottens län")
    raw = response.content
    assert raw.startswith("\ufeff".encode()) and b";" in raw.splitlines()[0]
    lines = raw.decode("utf-8-sig").splitlines()
    assert len(lines) == 3 and "Interreg Aurora, Region Norrbotten" in lines[1] + lines[2]


def test_active_projects_on_date_takes_county_and_funder(datasette) -> None:
    def titles(**params: str) -> set[str]:
        rows = get(datasette, "/archive/active_projects_on_date.json", _shape="objects", **params).json()["rows"]
        return {row["title"] for row in rows}

    everything = titles(date="2024-06-01", county="", funder="")
    assert titles(date="2024-06-01", county="Norrbottens län", funder="socialfond") == {ESF_PROJECT}
    assert titles(date="2024-06-01", county="Norrbottens län", funder="ESF") == {ESF_PROJECT}
    assert titles(date="2024-06-01", county="Gävleborgs län", funder="") < everything


def test_overview_facets_on_active_years(datasette) -> None:
    data = get(datasette, "/archive/project_overview.json", _facet_array="active_years", _shape="objects").json()
    years = {str(f["value"]): f["count"] for f in data["facet_results"]["active_years"]["results"]}
    assert years["2024"] >= 2 and "2021" in years
    row = next(r for r in data["rows"] if r["title"] == "Digital byapp för Järvsö")
    assert json.loads(row["active_years"]) == ["2021", "2022"]
    filtered = get(datasette, "/archive/project_overview.json", active_years__arraycontains="2021", _shape="objects")
    assert {r["title"] for r in filtered.json()["rows"]} == {"Digital byapp för Järvsö"}
