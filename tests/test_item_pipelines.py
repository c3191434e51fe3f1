"""Each item pipeline's process_item on a PageItem, the store pipeline on an in-memory archive."""
from __future__ import annotations

import pytest
from scrapy.utils.test import get_crawler

from pipelines.items import PageItem
from pipelines.signals import crawl_error, site_moved
from pipelines.stages import CleanPipeline, StorePipeline
from pipelines.store import utc_now
from scraper.sample_server import SAMPLE_SITES

BASE = "https://www.gellivare.se"
SITE = {"id": "2523", "name": "Gällivare kommun", "kind": "municipality", "kommunkod": "2523",
        "base_url": BASE + "/", "host": "gellivare.se"}
PAGE_FILE = SAMPLE_SITES / "gallivare" / "naringsliv" / "tillvaxtprojekt" / "move-on-up.html"
URL = BASE + "/naringsliv/tillvaxtprojekt/move-on-up.html"


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


@pytest.fixture
def store() -> StorePipeline:
    crawler = get_crawler(settings_dict={"KOMMUNARKIV_DB": ":memory:", "KOMMUNARKIV_SITES": [SITE],
                                         "KOMMUNARKIV_RUN_ID": 1})
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    pipeline.db.table("crawl_runs").insert({"id": 1, "started_at": utc_now(), "status": "running"})
    pipeline.crawler = crawler
    yield pipeline
    pipeline.db.close()


def test_store_pipeline_writes_the_page_and_its_frontier_entry(store: StorePipeline) -> None:
    item = CleanPipeline().process_item(fetched_item(links=[(BASE + "/kontakta-oss.html", 0, 1)]))
    store.process_item(item)
    row = store.db.table("pages").get(URL)
    assert row["site_id"] == SITE["id"] and row["text"] == item.page.text and row["version"] == 1
    frontier = {r["url"]: r["outcome"] for r in store.db.query("select url, outcome from crawl_frontier")}
    assert frontier == {URL: "new", BASE + "/kontakta-oss.html": None}


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
