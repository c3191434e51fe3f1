"""Never silently empty: a page whose main text is lost is recorded, and a site of such pages is broken on its first crawl."""
from __future__ import annotations

import sqlite3

import pytest

from conftest import run_crawl
from pipelines.runs import site_problems, thin_text
from scraper.sample_server import serve_sites

FURNITURE = ("<header><a href='/'>Tomby kommun</a><nav>{links}</nav></header>"
             "<footer><p>Tomby kommun, 999 99 Tomby. Telefon växel 0100-10 00 00. Organisationsnummer 212000-0000. "
             "Om webbplatsen, kakor och tillgänglighetsredogörelse. Följ oss i sociala medier.</p></footer>")
SHELL = ('<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>{title} - Tomby kommun</title></head>'
         '<body>' + FURNITURE + '<main id="app"></main><script>document.getElementById("app").textContent = '
         '"Projektet finansieras av Region Tomby."</script></body></html>')


def test_thin_text_rules():
    assert thin_text(0, 0) and thin_text(0, 900)
    assert thin_text(20, 2000)  # a sliver of what the page shows
    assert thin_text(20, 300) is None  # too little visible text to judge
    assert thin_text(400, 2000) is None


def test_most_pages_empty_is_a_broken_site_on_a_first_crawl():
    row = {"pages_fetched": 4, "errors": 3, "empty_pages": 3, "project_pages": 0, "avg_text_chars": 0}
    assert any("empty or thin on 3 of 4" in p for p in site_problems(row, None))
    assert site_problems({**row, "empty_pages": 1, "errors": 1}, None) == []


@pytest.fixture(scope="module")
def empty_crawl(tmp_path_factory):
    """A site rendered in the browser only: every page's HTML holds furniture and an empty main element."""
    tmp = tmp_path_factory.mktemp("empty")
    site = tmp / "sites" / "tomby"
    site.mkdir(parents=True)
    paths = ["/projekt", "/nyheter", "/kontakt"]
    links = "".join(f'<a href="{p}">{p.strip("/").capitalize()} och mer information om kommunen</a> ' for p in paths)
    for name in ["index", *(p.strip("/") for p in paths)]:
        (site / f"{name}.html").write_text(SHELL.format(title=name.capitalize(), links=links), "utf-8")
    with serve_sites(tmp / "sites") as servers:
        sites_csv = tmp / "sites.csv"
        sites_csv.write_text(f"url,name\n{servers['tomby'].base_url}/,Tomby kommun\n", "utf-8")
        result = run_crawl(sites_csv, tmp / "archive.db")
    conn = sqlite3.connect(tmp / "archive.db")
    conn.row_factory = sqlite3.Row
    yield result, conn
    conn.close()


def test_empty_pages_are_recorded_logged_and_flag_the_site_broken(empty_crawl):
    result, db = empty_crawl
    assert result.returncode == 3, result.stderr[-3000:]
    assert "Main text lost on" in result.stderr and "BROKEN site" in result.stderr
    kinds = [row["kind"] for row in db.execute("select kind from crawl_errors")]
    assert kinds.count("empty_text") == 4
    health = db.execute("select * from site_health").fetchone()
    assert health["status"] == "broken" and health["empty_pages"] == 4
    assert "main text empty or thin on 4 of 4 pages" in health["problem"]
