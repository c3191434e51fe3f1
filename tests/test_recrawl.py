"""Re-crawls keep the archive current: conditional requests, page versions, removals, new pages, broken sites.

A copy of the Gällivare sample site is crawled four times into one archive, the test changing the copy
between runs: (1) as shipped; (2) a project page edited, a project page deleted (404), a project page
unlinked, a new page added; (3) the server ignoring conditional requests; (4) a redesign that empties
every page's main text.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from conftest import REPO
from scraper.demo import LOOPBACK_CRAWL_ENV, crawl_command, write_sites_csv
from scraper.sample_server import SAMPLE_SITES, serve_sites

EDITED = "/naringsliv/utvecklingsprojekt/landa-norr.html"
DELETED = "/fritid-och-kultur/unga-i-forandring.4.6d1f0a9b18b7e2c3a5f2c10.html"  # still in the sitemap: 404
UNLINKED = "/nyheter/digitalt-stod-i-byarna.html"  # file kept, no link to it
ADDED = "/naringsliv/nytt-projekt.html"
UNTOUCHED = "/kontakta-oss.html"
LINKS_TO_UNLINKED = ("index.html", "nyheter.html", "kommun-och-politik/projekt.html")


def crawl(sites_csv: Path, db: Path, *extra: str) -> subprocess.CompletedProcess:
    """`kommunarkiv crawl` in a child process; absent pages are removed after two crawls."""
    return subprocess.run(crawl_command(sites_csv, db) + ["--remove-after", "2", *extra], capture_output=True,
                          text=True, timeout=300, env={**os.environ, **LOOPBACK_CRAWL_ENV}, cwd=REPO)


def edit(file: Path, old: str, new: str) -> None:
    """Replace text in a file of the site copy, insisting that it is there."""
    text = file.read_text("utf-8")
    assert old in text, (file, old)
    file.write_text(text.replace(old, new), "utf-8")


def change_site(site: Path) -> None:
    """Between runs 1 and 2: edit, delete, unlink and add pages."""
    edit(site / EDITED.lstrip("/"), "samt Region Norrbotten.", "samt Region Norrbotten och Tillväxtverket.")
    edit(site / EDITED.lstrip("/"), "ett treårigt projekt", "ett fyraårigt projekt")
    (site / DELETED.lstrip("/")).unlink()
    for page in LINKS_TO_UNLINKED:
        text = (site / page).read_text("utf-8")
        (site / page).write_text(text.replace(UNLINKED, "/nyheter.html"), "utf-8")
    new_page = (site / "naringsliv/utvecklingsprojekt.html").read_text("utf-8")
    (site / ADDED.lstrip("/")).write_text(new_page.replace("<h1", "<h1 data-new='1'"), "utf-8")
    edit(site / "naringsliv.html", "</main>", f'<p><a href="{ADDED}">Nytt projekt</a></p></main>')


def empty_main_text(site: Path) -> None:
    """Before run 4: a redesign moves every page's content out of reach, leaving a stub."""
    for page in site.rglob("*.html"):
        text = page.read_text("utf-8")
        start, end = text.find("<main"), text.find("</main>")
        if start >= 0 and end > start:
            page.write_text(text[:start] + "<main><p>Sidan uppdateras.</p>" + text[end:], "utf-8")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Four crawls of one changing site copy: each run's result, requests and archive snapshot."""
    tmp = tmp_path_factory.mktemp("recrawl")
    shutil.copytree(SAMPLE_SITES / "gallivare", tmp / "sites" / "gallivare")
    site, db = tmp / "sites" / "gallivare", tmp / "archive.db"
    results = []
    with serve_sites(tmp / "sites") as servers:
        server = servers["gallivare"]
        sites_csv = write_sites_csv(tmp / "sites.csv", {"gallivare": server.base_url})
        for prepare in (None, lambda: change_site(site), lambda: setattr(server, "conditional", False),
                        lambda: empty_main_text(site)):
            if prepare:
                prepare()
            server.requests.clear()
            result = crawl(sites_csv, db)
            results.append({"result": result, "requests": list(server.requests)})
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    yield {"runs": results, "db": conn, "base": server.base_url}
    conn.close()


def page(runs, path: str) -> sqlite3.Row:
    return runs["db"].execute("select * from pages where url = ?", [runs["base"] + path]).fetchone()


def versions(runs, path: str, before_run: int = 4) -> list[sqlite3.Row]:
    """The page's versions kept before a run (by default the redesign of run 4)."""
    return runs["db"].execute("select * from page_versions where url = ? and fetched_at < ? order by version",
                              [runs["base"] + path, run_row(runs, before_run)["started_at"]]).fetchall()


def run_row(runs, number: int) -> sqlite3.Row:
    return runs["db"].execute("select * from crawl_runs where id = ?", [number]).fetchone()


def statuses(runs, number: int, path: str) -> list[int]:
    return [r.status for r in runs["runs"][number - 1]["requests"] if r.path == path]


def test_the_first_three_crawls_succeed(runs):
    for result in runs["runs"][:3]:
        assert result["result"].returncode == 0, result["result"].stderr[-3000:]


def test_an_unchanged_page_costs_a_304_and_no_new_version(runs):
    assert statuses(runs, 1, UNTOUCHED) == [200]
    assert statuses(runs, 2, UNTOUCHED) == [304]
    assert len(versions(runs, UNTOUCHED)) == 1


def test_a_changed_page_gets_a_new_version_and_changed_at(runs):
    kept = versions(runs, EDITED)
    assert [v["version"] for v in kept[:2]] == [1, 2]
    assert "Tillväxtverket" in kept[1]["text"] and "Tillväxtverket" not in kept[0]["text"]
    assert kept[0]["content_hash"] != kept[1]["content_hash"]
    assert page(runs, EDITED)["changed_at"] >= run_row(runs, 2)["started_at"]
    projects = runs["db"].execute("select * from projects where page_url = ?", [runs["base"] + EDITED]).fetchall()
    assert projects and all(run_row(runs, 2)["started_at"] <= p["changed_at"] < run_row(runs, 3)["started_at"]
                            for p in projects)
    assert all(p["first_seen_at"] < run_row(runs, 2)["started_at"] for p in projects)


def test_raw_responses_are_kept_compressed_with_each_version(runs):
    import gzip

    raw = gzip.decompress(versions(runs, EDITED)[1]["body_gz"]).decode("utf-8")
    assert "samt Region Norrbotten och Tillväxtverket." in raw and raw.lstrip().startswith("<!DOCTYPE html>")


def test_a_page_gone_404_is_marked_removed_and_its_projects_stay_flagged(runs):
    assert statuses(runs, 2, DELETED) == [404]
    gone = page(runs, DELETED)
    assert gone is not None and gone["removed_at"] >= run_row(runs, 2)["started_at"]
    projects = runs["db"].execute("select * from projects where page_url = ?", [runs["base"] + DELETED]).fetchall()
    assert projects and all(p["removed_at"] == gone["removed_at"] for p in projects)


def test_a_page_absent_from_two_crawls_is_marked_removed_only_then(runs):
    assert statuses(runs, 2, UNLINKED) == [] and statuses(runs, 3, UNLINKED) == []
    unlinked = page(runs, UNLINKED)
    assert unlinked["removed_at"] >= run_row(runs, 3)["started_at"]
    assert run_row(runs, 2)["pages_removed"] == 1  # only the 404: one absence is not enough
    assert run_row(runs, 3)["pages_removed"] == 1


def test_a_new_page_is_found(runs):
    added = page(runs, ADDED)
    assert added is not None and added["first_seen_at"] >= run_row(runs, 2)["started_at"]
    assert run_row(runs, 2)["pages_new"] == 1


def test_run_totals_count_what_changed(runs):
    first, second = run_row(runs, 1), run_row(runs, 2)
    assert first["status"] == second["status"] == "finished"
    assert first["pages_new"] == first["pages_fetched"] > 10 and first["pages_unchanged"] == 0
    assert second["pages_changed"] == 2  # the edited page and the one with a new link; new hrefs alone change no text
    assert second["pages_unchanged"] == second["pages_fetched"] - second["pages_new"] - second["pages_changed"]
    assert second["bytes_received"] < first["bytes_received"] / 2
    assert json.loads(second["errors_by_kind"])["http_4xx"] == json.loads(first["errors_by_kind"])["http_4xx"] + 1


def test_a_server_ignoring_conditional_requests_is_caught_by_the_body_hash(runs):
    assert statuses(runs, 3, UNTOUCHED) == [200]
    third = run_row(runs, 3)
    assert third["pages_unchanged"] == third["pages_fetched"] > 10 and third["pages_changed"] == 0
    assert not runs["db"].execute("select 1 from page_versions where fetched_at >= ? and fetched_at < ?",
                                  [third["started_at"], run_row(runs, 4)["started_at"]]).fetchall()


def test_a_site_whose_main_text_is_emptied_is_reported_broken(runs):
    result = runs["runs"][3]["result"]
    assert result.returncode == 3, result.stderr[-3000:]
    assert "BROKEN site 2523" in result.stderr and "looks broken" in result.stderr
    health = runs["db"].execute("select * from site_health where site_id = '2523'").fetchone()
    assert health["status"] == "broken"
    assert "no project pages" in health["problem"] and "main text emptied" in health["problem"]
    assert health["project_pages"] == 0 and health["previous_project_pages"] >= 3
    assert health["last_success_at"] == run_row(runs, 3)["ended_at"]


def test_projects_of_a_redesigned_page_are_kept_and_flagged(runs):
    projects = runs["db"].execute("select * from projects where page_url = ?", [runs["base"] + EDITED]).fetchall()
    assert projects and all(p["removed_at"] >= run_row(runs, 4)["started_at"] for p in projects)
    roles = runs["db"].execute("select count(*) from project_organisations where project_id = ?",
                               [projects[0]["id"]]).fetchone()[0]
    assert roles > 0
