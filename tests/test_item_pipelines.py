"""Each item pipeline's process_item on a PageItem, the store pipeline on an in-memory archive."""
from __future__ import annotations

import sqlite3
import threading

import pytest
from scrapy.utils.test import get_crawler

from pipelines.items import PageItem
from pipelines.page import CleanPage
from pipelines.signals import crawl_error, site_moved
from pipelines.stages import CleanPipeline, StorePipeline
from pipelines.store import open_archive, store_page, utc_now, write_transaction
from scraper.sample_server import SAMPLE_SITES

BASE = "https://www.gellivare.se"
SITE = {"id": "2523", "name": "Gällivare kommun", "kind": "municipality", "kommunkod": "2523",
        "base_url": BASE + "/", "host": "gellivare.se"}
PAGE_FILE = SAMPLE_SITES / "gallivare" / "naringsliv" / "utvecklingsprojekt" / "landa-norr.html"
URL = BASE + "/naringsliv/utvecklingsprojekt/landa-norr.html"


def fetched_item(html: str | None = None, **fields) -> PageItem:
    """A fetched page item from a sample-site file."""
    html = html if html is not None else PAGE_FILE.read_text("utf-8").replace("{{BASE_URL}}", BASE)
    return PageItem(url=URL, site_id=SITE["id"], http_status=200, content_type="text/html; charset=utf-8",
                    html=html, body=html.encode(), **fields)


def test_clean_pipeline_reduces_the_page_to_its_main_text() -> None:
    item = CleanPipeline().process_item(fetched_item())
    assert item.page is not None and item.page.title and item.page.text
    assert "<" not in item.page.text and len(item.page.text) < len(item.html)


def test_clean_pipeline_passes_unchanged_and_skipped_items_untouched() -> None:
    for state in ("unchanged", "skipped"):
        item = CleanPipeline().process_item(fetched_item(html="", state=state))
        assert item.page is None and item.record == {}


def store_pipeline(db: str) -> StorePipeline:
    """An opened store pipeline on the archive `db` (":memory:" or a file), with crawl run 1 begun."""
    crawler = get_crawler(settings_dict={"KOMMUNARKIV_DB": db, "KOMMUNARKIV_SITES": [SITE], "KOMMUNARKIV_RUN_ID": 1})
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    pipeline.db.table("crawl_runs").insert({"id": 1, "started_at": utc_now(), "status": "running"})
    pipeline.crawler = crawler
    return pipeline


@pytest.fixture
def store() -> StorePipeline:
    pipeline = store_pipeline(":memory:")
    yield pipeline
    pipeline.db.close()


def test_store_pipeline_writes_the_page_and_its_frontier_entry(store: StorePipeline) -> None:
    item = CleanPipeline().process_item(fetched_item(links=[(BASE + "/kontakta-oss.html", 0, 1)]))
    store.process_item(item)
    row = store.db.table("pages").get(URL)
    assert row["site_id"] == SITE["id"] and row["text"] == item.page.text and row["version"] == 1
    stored = store.db.execute("select clean_page from page_versions where url = ?", [URL]).fetchone()[0]
    assert CleanPage.from_json(URL, stored) == item.page  # the extraction stage reads it instead of cleaning again
    frontier = {r["url"]: r["outcome"] for r in store.db.query("select url, outcome from crawl_frontier")}
    assert frontier == {URL: "new", BASE + "/kontakta-oss.html": None}


def test_a_windows_1252_body_without_charset_is_stored_with_its_swedish_letters(store: StorePipeline) -> None:
    html = "<html><head><title>Åkrar - Övertorneå</title></head><body><main><h1>Åkrar och ängar</h1>" \
           "<p>Projektet i Övertorneå förbättrar växtodlingen på åkrar och ängar.</p></main></body></html>"
    item = PageItem(url=URL, site_id=SITE["id"], http_status=200, content_type="text/html",
                    html=html.encode("cp1252").decode("cp1250"), body=html.encode("cp1252"))  # html: a wrong guess
    store.process_item(CleanPipeline().process_item(item))
    row = store.db.table("pages").get(URL)
    assert row["title"] == "Åkrar och ängar" and "Övertorneå förbättrar växtodlingen" in row["text"]


def test_random_bytes_served_as_html_are_a_binary_error_not_text(store: StorePipeline) -> None:
    body = bytes(range(256)) * 8
    item = PageItem(url=URL, site_id=SITE["id"], http_status=200, content_type="text/html", html="", body=body)
    store.process_item(CleanPipeline().process_item(item))
    assert store.db.table("pages").get(URL)["text"] == ""
    assert [row["kind"] for row in store.db.query("select kind from crawl_errors")] == ["binary"]


def test_a_page_showing_only_its_cookie_banner_is_recorded_as_empty_text(store: StorePipeline) -> None:
    html = ('<html lang="sv"><head><title>Projekt - Gällivare kommun</title></head><body><div class="sv-cookie-consent-'
            'banner"><p>Vi använder kakor för att webbplatsen ska fungera. Läs mer om kakor.</p><button>Godkänn'
            '</button></div><main><div id="app"></div></main></body></html>')
    store.process_item(CleanPipeline().process_item(fetched_item(html=html)))
    assert store.db.table("pages").get(URL)["text"] == ""
    assert [row["kind"] for row in store.db.query("select kind from crawl_errors")] == ["empty_text"]


def test_store_pipeline_touches_an_unchanged_page(store: StorePipeline) -> None:
    store.process_item(CleanPipeline().process_item(fetched_item()))
    first = store.db.table("pages").get(URL)
    store.process_item(fetched_item(html="", state="unchanged"))
    row = store.db.table("pages").get(URL)
    assert (row["text"], row["version"]) == (first["text"], 1)
    assert store.db.execute("select outcome from crawl_frontier where url = ?", [URL]).fetchone()[0] == "unchanged"


def test_store_pipeline_records_errors_and_moves_from_signals(store: StorePipeline) -> None:
    store.crawler.signals.send_catch_log(crawl_error, url=BASE + "/borta.html", site_id=SITE["id"], kind="http_4xx",
                                         message="HTTP 404", status=404)
    store.crawler.signals.send_catch_log(site_moved, site_id=SITE["id"], url="https://www.gallivare.se/")
    errors = list(store.db.query("select url, kind, run_id from crawl_errors"))
    assert errors == [{"url": BASE + "/borta.html", "kind": "http_4xx", "run_id": 1}]
    site = store.db.table("sites").get(SITE["id"])
    assert (site["host"], site["moved_from"]) == ("gallivare.se", BASE + "/")


def hold_write_lock(path) -> sqlite3.Connection:
    """Another process's writer: a connection holding the archive's write lock until it rolls back."""
    blocker = sqlite3.connect(path, check_same_thread=False)
    blocker.execute("begin immediate")
    return blocker


def test_a_write_transaction_waits_for_another_writer_where_a_deferred_one_fails_at_once(tmp_path) -> None:
    db = open_archive(tmp_path / "archive.db")
    db.table("sites").insert(SITE, alter=True)
    page = {"url": URL, "title": "Landa norr", "text": "Projektet pågår."}
    blocker = hold_write_lock(tmp_path / "archive.db")
    with pytest.raises(sqlite3.OperationalError, match="locked"):  # reads, then cannot wait to write
        with db.atomic():
            store_page(db, SITE["id"], page, None, utc_now())
    release = threading.Timer(0.3, blocker.rollback)
    release.start()
    with write_transaction(db):  # waits for the lock (busy timeout 5 s), then reads and writes
        assert store_page(db, SITE["id"], page, None, utc_now()) == "new"
    release.join()
    assert db.table("pages").get(URL)["text"] == "Projektet pågår."


def test_a_page_the_busy_archive_refused_is_recorded_when_the_crawl_closes(tmp_path) -> None:
    pipeline = store_pipeline(str(tmp_path / "archive.db"))
    pipeline.db.execute("PRAGMA busy_timeout = 50")  # the other writer outlasts it
    blocker = hold_write_lock(tmp_path / "archive.db")
    pipeline.process_item(CleanPipeline().process_item(fetched_item()))
    assert pipeline.unstored and pipeline.stats.get_value("kommunarkiv/store_failures") == 1
    release = threading.Timer(0.3, blocker.rollback)  # the other writer is still busy when the crawl closes
    release.start()
    pipeline.close_spider()
    release.join()
    check = sqlite3.connect(tmp_path / "archive.db")
    rows = check.execute("select url, kind, run_id from crawl_errors").fetchall()
    assert rows == [(URL, "store", 1)] and check.execute("select count(*) from pages").fetchone()[0] == 0


class TitleOnlyExtractor:
    """An extractor that reports each page's title and no projects."""

    def extract(self, pages):
        for page in pages:
            yield {"title": page.title, "projects": [], "is_project_page": False, "extractor_version": "t"}


def test_reextract_repairs_a_page_stored_with_a_wrong_decoding_from_its_raw_body(store: StorePipeline) -> None:
    from pipelines.clean import clean_html
    from pipelines.reextract import reextract_archive

    html = "<html><head><title>Åkrar</title></head><body><main><h1>Åkrar och ängar</h1>" \
           "<p>Projektet i Övertorneå förbättrar växtodlingen.</p></main></body></html>"
    body = html.encode("cp1252")
    item = PageItem(url=URL, site_id=SITE["id"], http_status=200, content_type="text/html", html="", body=body)
    item.page = clean_html(body.decode("cp1250"), URL)  # what an older crawl stored: å read as ĺ
    store.process_item(item)
    assert "ĺ" in store.db.table("pages").get(URL)["text"]
    reextract_archive(store.db, TitleOnlyExtractor())
    row = store.db.table("pages").get(URL)
    assert row["title"] == "Åkrar och ängar" and "Övertorneå förbättrar" in row["text"] and "ĺ" not in row["text"]
