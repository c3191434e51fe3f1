"""The extraction stage (pipelines/reextract.py) on an archive file, without a crawl: the pages a crawl stores wait
for it, it extracts exactly those whose text or extractor version changed, and an interrupted stage resumes."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipelines import reextract
from pipelines.clean import clean_html
from pipelines.page import CleanPage
from pipelines.reextract import pending_urls, run_stage
from pipelines.store import content_hash, open_archive, store_page, store_site

NOW = "2026-01-01T00:00:00+00:00"
LATER = "2026-02-01T00:00:00+00:00"
SITE = {"id": "2523", "name": "Gällivare kommun", "kind": "municipality", "kommunkod": "2523",
        "base_url": "http://127.0.0.1:1/", "host": "127.0.0.1:1"}
VERSION = reextract.extractor_version()


def html(title: str, text: str) -> bytes:
    return (f"<!DOCTYPE html><html lang='sv'><head><title>{title}</title></head><body><main><h1>{title}</h1>"
            f"<p>{text}</p></main></body></html>").encode()


class CountingExtractor:
    """A stand-in extractor: one project per page, titled after the page; counts the pages it reads and can stop
    the process after `stop_after` pages (as a kill would)."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.read: list[str] = []
        self.titles: list[str] = []
        self.stop_after = stop_after

    def extract(self, pages):
        for page in pages:
            if self.stop_after is not None and len(self.read) >= self.stop_after:
                raise KeyboardInterrupt
            self.read.append(page.url)
            self.titles.append(page.title)
            yield {"is_project_page": True, "extractor_version": VERSION, "title": page.title, "published": None,
                   "updated": None, "projects": [{"title": page.title, "funders": [], "partners": [], "contacts": []}]}


def store(db, n: int, text: str, now: str = NOW, clean_page: str | None = None) -> str:
    """Store page n as the crawl does (no projects: the stage extracts them), with the cleaned page given."""
    url = f"http://127.0.0.1:1/projekt-{n}.html"
    body = html(f"Projekt {n}", text)
    row = {"url": url, "title": f"Projekt {n}", "text": f"Projekt {n}\n{text}", "http_status": 200,
           "content_type": "text/html; charset=utf-8", "content_hash": content_hash(f"Projekt {n}\n{text}")}
    store_page(db, SITE["id"], row, None, now, body, clean_page)
    return url


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(reextract, "BATCH", 2)
    archive = open_archive(tmp_path / "archive.db")
    store_site(archive, SITE, NOW)
    yield archive
    archive.close()


def test_stored_pages_wait_for_the_stage_which_extracts_only_changed_ones(db) -> None:
    urls = [store(db, n, "Projektet finansieras av Region Norrbotten.") for n in range(5)]
    assert pending_urls(db, VERSION) == sorted(urls)
    assert db.execute("select count(*) from projects").fetchone()[0] == 0
    first = CountingExtractor()
    assert run_stage(db, extractor=first) == (5, 5)
    assert sorted(first.read) == sorted(urls) and pending_urls(db, VERSION) == []
    store(db, 0, "Projektet finansieras av Region Norrbotten.", LATER)  # same text: its extraction stands
    store(db, 1, "Projektet finansieras av Tillväxtverket.", LATER)  # changed text: pending again
    assert pending_urls(db, VERSION) == [urls[1]]
    again = CountingExtractor()
    assert run_stage(db, extractor=again) == (1, 5)
    assert again.read == [urls[1]]
    assert pending_urls(db, "a newer extractor") == sorted(urls)  # a new extractor version re-reads every page


def test_an_interrupted_stage_resumes_from_the_archive(db) -> None:
    urls = [store(db, n, "Projektet drivs av Gällivare kommun.") for n in range(5)]
    with pytest.raises(KeyboardInterrupt):
        run_stage(db, extractor=CountingExtractor(stop_after=3))
    done = db.execute("select count(*) from pages where extractor_version is not null").fetchone()[0]
    assert done == 2  # the first batch was written before the interruption, the second was not
    rest = CountingExtractor()
    run_stage(db, extractor=rest)
    assert sorted(rest.read) == sorted(urls)[2:]
    assert db.execute("select count(*) from projects").fetchone()[0] == 5 and pending_urls(db, VERSION) == []


def test_a_cleaned_page_survives_its_json_unchanged() -> None:
    page = clean_html(html("Projekt 1", "Projektet finansieras av Region Norrbotten.").decode(),
                      "http://127.0.0.1:1/projekt-1.html", "text/html")
    again = CleanPage.from_json(page.url, page.to_json())
    assert again == page and again.blocks and again.title == "Projekt 1"


def test_pending_pages_are_read_from_their_stored_clean_page_and_reextract_cleans_the_raw_body(db) -> None:
    """The crawl's stage reads the cleaned page stored with the version (no second cleaning); `reextract` of every
    page cleans each raw body again (a better cleaner reads it afresh); an unreadable stored page is cleaned too."""
    stored = CleanPage(url="", title="Som lagrad", blocks=[]).to_json()
    urls = [store(db, 0, "Projektet drivs av Gällivare kommun.", clean_page=stored),
            store(db, 1, "Projektet drivs av Gällivare kommun.", clean_page="{not json")]
    pending = CountingExtractor()
    run_stage(db, extractor=pending)
    assert dict(zip(pending.read, pending.titles)) == {urls[0]: "Som lagrad", urls[1]: "Projekt 1"}
    everything = CountingExtractor()
    run_stage(db, everything=True, extractor=everything)
    assert dict(zip(everything.read, everything.titles)) == {urls[0]: "Projekt 0", urls[1]: "Projekt 1"}


@pytest.mark.slow  # starts worker processes that each load the extractor
def test_worker_processes_extract_what_one_process_does(db, tmp_path: Path) -> None:
    """Two spawned workers with the real extractor write the same projects as the stage run in this process."""
    for n in range(4):
        store(db, n, f"Projektet finansieras av Region Norrbotten och Tillväxtverket. Del {n}.")
    run_stage(db, workers=2)
    facts = "select page_url, title from projects order by page_url"
    pooled = db.execute(facts).fetchall()
    funders = db.execute("select count(*) from project_organisations where role = 'funder'").fetchone()[0]
    run_stage(db, everything=True, workers=1)
    assert db.execute(facts).fetchall() == pooled and len(pooled) == 4
    assert db.execute("select count(*) from project_organisations where role = 'funder'").fetchone()[0] == funders > 0
