"""The registry as a crawl source: `kommunarkiv sites`, its offline check, selection by county and municipality,
and a site that moved to a new address."""
from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from conftest import run_crawl
from pipelines.extract.registry import Organisation
from scraper.cli import cli
from scraper.sample_server import SAMPLE_SITES, serve_sites
from scraper.sites import SiteError, check_registry, registry_organisations, site_for_organisation


def test_sites_lists_a_countys_municipalities():
    result = CliRunner().invoke(cli, ["sites", "--county", "25", "--kind", "municipality"])
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert len(rows) == 14 and {row[1] for row in rows} == {"municipality"} and {row[3] for row in rows} == {"25"}
    assert ["2523", "municipality", "Gällivare kommun", "25", "https://gellivare.se/"] in rows
    assert "14 municipality: 14 sites" in result.stderr


def test_sites_check_passes_on_the_shipped_registry():
    result = CliRunner().invoke(cli, ["sites", "--check"])
    assert result.exit_code == 0, result.output
    assert "Registry OK" in result.output


def test_check_reports_bad_hosts_duplicates_and_missing_municipalities():
    orgs = [Organisation("kommun/2523", "municipality", "Gällivare kommun", "2523", "25", "Norrbottens län",
                         "gellivare.se"),
            Organisation("kommun/2518", "municipality", "Övertorneå kommun", "2518", "25", "Norrbottens län",
                         "gellivare.se"),
            Organisation("kommun/2121", "municipality", "Ovanåkers kommun", "212", "21", "Gävleborgs län",
                         "https://ovanaker.se/")]
    problems = "\n".join(check_registry(orgs))
    assert "malformed host 'https://ovanaker.se/'" in problems
    assert "host gellivare.se used by kommun/2523, kommun/2518" in problems
    assert "kommunkod '212' is not 4 digits" in problems
    assert "3 municipalities, Sweden has 290" in problems


def test_selection_by_name_kommunkod_county_and_all():
    by_name = registry_organisations(municipalities=("Gällivare", "2121", "Stockholm"))
    assert [org.id for org in by_name] == ["kommun/2523", "kommun/2121", "kommun/0180"]
    assert {org.kind for org in registry_organisations()} == {"municipality", "region", "county_board"}
    assert len(registry_organisations()) == 290 + 21 + 21
    site = site_for_organisation(by_name[0])
    assert site["id"] == "2523" and site["kommunkod"] == "2523" and site["host"] == "gellivare.se"
    with pytest.raises(SiteError, match="no municipality 'Atlantis'"):
        registry_organisations(municipalities=("Atlantis",))


def test_crawl_of_an_unknown_municipality_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(cli, ["crawl", "--municipality", "Atlantis", "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 1
    assert "no municipality 'Atlantis' in the registry" in result.output


@pytest.fixture(scope="module")
def moved(tmp_path_factory):
    """Gällivare's copy served on a new port; the old address answers 301 to it. Crawled twice from the old URL."""
    tmp = tmp_path_factory.mktemp("moved")
    shutil.copytree(SAMPLE_SITES / "gallivare", tmp / "new" / "gallivare")
    (tmp / "old" / "gallivare").mkdir(parents=True)
    with serve_sites(tmp / "new") as new:
        new_base = new["gallivare"].base_url
        (tmp / "old" / "gallivare" / "_server.json").write_text(json.dumps(
            {"/": {"status": 301, "headers": {"Location": new_base + "/"}}}), "utf-8")
        with serve_sites(tmp / "old", slugs=["gallivare"]) as old:
            old_base = old["gallivare"].base_url
            sites_csv = tmp / "sites.csv"
            sites_csv.write_text(f"url,kommunkod,name\n{old_base}/,2523,Gällivare kommun\n", "utf-8")
            first = run_crawl(sites_csv, tmp / "archive.db")
            old_requests_first = list(old["gallivare"].requests)
            old["gallivare"].requests.clear()
            second = run_crawl(sites_csv, tmp / "archive.db")
            old_requests_second = list(old["gallivare"].requests)
    conn = sqlite3.connect(tmp / "archive.db")
    conn.row_factory = sqlite3.Row
    yield {"first": first, "second": second, "old": old_base, "new": new_base, "db": conn,
           "old_requests": (old_requests_first, old_requests_second)}
    conn.close()


def test_a_site_that_moved_is_followed_and_recorded(moved):
    assert moved["first"].returncode == 0, moved["first"].stderr[-3000:]
    assert "moved" in moved["first"].stderr
    site = moved["db"].execute("select * from sites where id = '2523'").fetchone()
    assert site["base_url"] == moved["new"] + "/" and site["host"] == moved["new"].removeprefix("http://")
    assert site["moved_from"] == moved["old"] + "/" and site["moved_at"]
    pages = [row[0] for row in moved["db"].execute("select url from pages")]
    assert len(pages) > 10 and all(url.startswith(moved["new"]) for url in pages)
    assert moved["db"].execute("select count(*) from pages where is_project_page").fetchone()[0] >= 3


def test_the_next_crawl_starts_from_the_new_address(moved):
    assert moved["second"].returncode == 0, moved["second"].stderr[-3000:]
    first, second = moved["old_requests"]
    assert any(r.path == "/" and r.status == 301 for r in first)
    assert second == []
    run = moved["db"].execute("select pages_fetched, pages_unchanged from crawl_runs where id = 2").fetchone()
    assert run["pages_fetched"] == run["pages_unchanged"] > 10
