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
    assert archive.execute("select count(*) from pages_fts where pages_fts match 'inflyttarservice'").fetchone()[0] >= 1


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


def content_texts(html_path) -> list[str]:
    """Every paragraph, heading, list item and table cell of a Sitevision page's text and contact portlets,
    closed accordion panels included: the text a stored page must hold."""
    from lxml import html as lxml_html

    doc = lxml_html.parse(str(html_path)).getroot()
    holders = doc.xpath("//main//div[contains(@class,'sv-text-portlet-content') or contains(@class,'sv-contact-portlet')]"
                        " | //main//*[contains(@class,'env-collapse') or contains(@class,'env-accordion__content')]")
    texts = ["".join(el.text_content().split()) for holder in holders
             for el in holder.iter("p", "h1", "h2", "h3", "li", "td", "th", "summary")]
    return [t for t in texts if t]  # compared without whitespace: <br> lines become blocks of their own


@pytest.mark.parametrize("path", sorted(EXPECTED["gallivare"]["project_pages"]))
def test_sitevision_project_page_is_stored_with_its_full_text(archive, sample_servers, path):
    from scraper.sample_server import SAMPLE_SITES

    url = page_url(sample_servers, "gallivare", path)
    stored = archive.execute("select text from pages where url = ?", [url]).fetchone()
    assert stored is not None, f"{url} was not crawled"
    text = "".join(stored["text"].split())
    missing = [t for t in content_texts(SAMPLE_SITES / "gallivare" / path.lstrip("/")) if t not in text]
    assert not missing, missing
    assert "Lyssna" not in stored["text"] and "Hoppa till innehållet" not in stored["text"]


def test_sitevision_sample_has_closed_accordions():
    from scraper.sample_server import SAMPLE_SITES

    pages = [(SAMPLE_SITES / "gallivare" / p.lstrip("/")).read_text("utf-8") for p in EXPECTED["gallivare"]["project_pages"]]
    assert sum(p.count('class="env-collapse"') + p.count("<details") for p in pages) >= 3
    assert all("sv-skip-spacer" in p and "svid12_" in p for p in pages)
