"""A real crawl of the sample sites over HTTP on loopback into a real archive file."""
from __future__ import annotations

import sqlite3
from urllib.parse import urlsplit

import pytest

from conftest import EXPECTED, _row_counts

SLUGS = sorted(EXPECTED)
PROJECT_PAGES = [(slug, path) for slug in SLUGS for path in EXPECTED[slug]["project_pages"]]
NON_PROJECT_PAGES = [(slug, path) for slug in SLUGS for path in EXPECTED[slug]["non_project_pages"]]


@pytest.fixture(scope="module")
def archive(crawled):
    conn = sqlite3.connect(crawled["db"])
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def page_url(sample_servers, slug: str, path: str) -> str:
    return sample_servers[slug].base_url + path


def org_names(archive, page: str, role: str) -> list[list[str]]:
    rows = archive.execute(
        "select o.name, po.mention from project_organisations po join projects p on p.id = po.project_id "
        "join organisations o on o.id = po.organisation_id where p.page_url = ? and po.role = ?", [page, role])
    return [[r["name"], r["mention"]] for r in rows]


def test_sites_are_registered_with_municipality_and_county(archive):
    rows = {r["id"]: r for r in archive.execute("select * from sites")}
    for slug in SLUGS:
        site = rows[EXPECTED[slug]["kommunkod"]]
        assert site["kind"] == "municipality"
        assert site["county"] == EXPECTED[slug]["county"]


@pytest.mark.parametrize("slug,path", PROJECT_PAGES)
def test_project_page_becomes_projects_with_funders_partners_and_dates(archive, sample_servers, name_match, slug, path):
    url = page_url(sample_servers, slug, path)
    page = archive.execute("select * from pages where url = ?", [url]).fetchone()
    assert page is not None, f"{url} was not crawled"
    assert page["is_project_page"] == 1
    expected = EXPECTED[slug]["project_pages"][path]
    funders = org_names(archive, url, "funder")
    partners = org_names(archive, url, "partner") + org_names(archive, url, "owner")
    for funder in expected["funders"]:
        assert any(name_match(found, [funder]) for found in funders), f"funder {funder} missing: {funders}"
    for partner in expected["partners"]:
        assert any(name_match(found, [partner]) for found in partners), f"partner {partner} missing: {partners}"
    dates = archive.execute("select start_date, end_date from projects where page_url = ?", [url]).fetchall()
    for key, column in (("start", "start_date"), ("end", "end_date")):
        if expected.get(key):
            assert any((row[column] or "")[:7] == expected[key][:7] for row in dates), (key, [tuple(r) for r in dates])


@pytest.mark.parametrize("slug,path", NON_PROJECT_PAGES)
def test_non_project_page_is_no_project(archive, sample_servers, slug, path):
    url = page_url(sample_servers, slug, path)
    page = archive.execute("select is_project_page from pages where url = ?", [url]).fetchone()
    assert page is not None, f"{url} was not crawled"
    assert page["is_project_page"] == 0
    assert archive.execute("select count(*) from projects where page_url = ?", [url]).fetchone()[0] == 0


@pytest.mark.parametrize("slug", SLUGS)
def test_robots_disallowed_paths_are_never_requested(crawled, sample_servers, slug):
    requested = [urlsplit(p).path for p in sample_servers[slug].requests.paths]
    assert "/robots.txt" in requested
    for disallowed in EXPECTED[slug]["disallowed_paths"]:
        assert not any(path.startswith(disallowed) for path in requested), disallowed


def test_second_crawl_adds_no_duplicate_rows(crawled):
    after_second = _row_counts(crawled["db"])
    first = crawled["counts_after_first"]
    for table in ("sites", "pages", "projects", "organisations", "project_organisations", "contacts"):
        assert after_second[table] == first[table], table
    assert first["projects"] > 0


def test_full_text_search_finds_projects_and_pages(archive):
    hits = archive.execute("select title from projects where rowid in "
                           "(select rowid from projects_fts where projects_fts match 'Voxnadalens')").fetchall()
    assert [h["title"] for h in hits] and all("Voxnadalens" in h["title"] for h in hits)
    assert archive.execute("select count(*) from pages_fts where pages_fts match 'mottagarkapacitet'").fetchone()[0] >= 1


def test_pages_keep_text_hash_status_and_dates(archive):
    rows = archive.execute("select * from pages where is_project_page = 1").fetchall()
    assert rows
    for row in rows:
        assert row["http_status"] == 200 and len(row["content_hash"]) == 64 and row["text"]
        assert row["fetched_at"].endswith("+00:00")
    assert any(row["published"] for row in rows)


def test_footer_switchboard_never_becomes_a_contact(archive):
    phones = [r[0] or "" for r in archive.execute("select phone from contacts")]
    emails = [r[0] or "" for r in archive.execute("select email from contacts")]
    assert not any(e.startswith(("info@", "kommun@", "kommunen@")) for e in emails)
    assert all("växel" not in p for p in phones)
