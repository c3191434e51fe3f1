"""Scrapy item pipelines: clean → store, one PageItem at a time; extraction runs after the downloads, in batches
(pipelines/reextract.py), so no download waits for NLP."""
from __future__ import annotations

import logging
import sqlite3
from typing import Any

from scrapy.crawler import Crawler

from pipelines.clean import clean_html
from pipelines.decode import BinaryContent
from pipelines.items import PageItem
from pipelines.merge import merge_projects
from pipelines.runs import record_outcome, thin_text
from pipelines.store import (content_hash, mark_removed, open_archive, prune_organisations, record_error, store_page,
                             store_site, touch_page, utc_now, write_transaction)
from pipelines.signals import crawl_error, site_moved
from pipelines.urls import netloc

logger = logging.getLogger(__name__)
CLOSING_BUSY_TIMEOUT_MS = 60_000  # how long the crawl's last writes wait for another writer (pages wait 5 s)


class CleanPipeline:
    """Reduce the page's HTML to its main-content blocks, decoding the raw body as every other reader does
    (pipelines.decode; not Scrapy's response.text, whose statistical guess misreads Swedish windows-1252)."""

    def process_item(self, item: PageItem) -> PageItem:
        if item.state != "fetched":
            return item
        try:
            item.page = clean_html(item.body if item.body is not None else item.html, item.url, item.content_type)
        except BinaryContent as error:  # random bytes served as text/html: recorded, not stored as text
            logger.warning("Not a text page: %s: %s", item.url, error)
            item.record = {"error": str(error), "kind": "binary"}
        except Exception as error:  # a page the parser cannot read must not stop the crawl
            logger.warning("Could not read the HTML of %s: %s", item.url, error)
            item.record = {"error": f"unreadable HTML: {error}"}
        return item


class StorePipeline:
    """Write pages, projects and errors into the archive with sqlite-utils, each with its crawl-frontier entry."""

    def __init__(self, db_path: str, sites: list[dict[str, Any]], run_id: int) -> None:
        self.db_path = db_path
        self.sites = sites
        self.run_id = run_id
        self.db = None
        self.stats = None
        self.unstored: list[tuple[str, str | None, str]] = []  # (url, site_id, error): written at the end

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "StorePipeline":
        settings = crawler.settings
        pipeline = cls(settings.get("KOMMUNARKIV_DB"), settings.getlist("KOMMUNARKIV_SITES"),
                       settings.getint("KOMMUNARKIV_RUN_ID"))
        pipeline.stats = crawler.stats
        crawler.signals.connect(pipeline.on_crawl_error, signal=crawl_error)
        crawler.signals.connect(pipeline.on_site_moved, signal=site_moved)
        return pipeline

    def open_spider(self) -> None:
        self.db = open_archive(self.db_path)
        now = utc_now()
        for site in self.sites:
            store_site(self.db, site, now)

    def close_spider(self) -> None:
        self.db.execute(f"PRAGMA busy_timeout = {CLOSING_BUSY_TIMEOUT_MS}")  # no page waits on us any more
        self._record_unstored()
        prune_organisations(self.db)
        merge_projects(self.db)
        self.db.close()

    def _record_unstored(self) -> None:
        """Record the pages and errors the archive was too busy to take, as crawl_errors kind 'store', in one
        transaction; log each one when even that fails."""
        now = utc_now()
        try:
            with write_transaction(self.db):
                for url, site_id, error in self.unstored:
                    record_error(self.db, url, site_id, "store", f"could not write to the archive: {error}", now,
                                 self.run_id)
        except sqlite3.Error as again:
            for url, _, _ in self.unstored:
                logger.error("Could not record the unstored page %s either: %s", url, again)

    def process_item(self, item: PageItem) -> PageItem:
        try:
            self._store(item)
        except sqlite3.Error as error:  # e.g. "database is locked": keep crawling, fail the run loudly at the end
            logger.error("Could not store %s: %s", item.url, error)
            self.unstored.append((item.url, item.site_id, str(error)))
            if self.stats is not None:
                self.stats.inc_value("kommunarkiv/store_failures")
        return item

    def _store(self, item: PageItem) -> None:
        """Write the page (or its unchanged mark) with its crawl-frontier entry, in one transaction."""
        now = utc_now()
        with write_transaction(self.db):  # the page, its version, projects and frontier entry: all or nothing
            if item.state == "fetched":
                outcome = self._store_fetched(item, now)
            elif item.state == "unchanged":
                touch_page(self.db, item.url, now, item.found_links)
                outcome = "unchanged"
            else:
                outcome = "skipped"
            record_outcome(self.db, self.run_id, item.url, item.site_id, outcome, item.links)

    def _store_fetched(self, item: PageItem, now: str) -> str:
        """Store a new or changed response; return new, changed or unchanged (same main text)."""
        page, record = item.page, item.record
        text = page.text if page else ""
        row = {
            "url": item.url, "title": (page.title if page else "") or None, "text": text,
            "http_status": item.http_status, "content_type": item.content_type, "content_hash": content_hash(text),
            "etag": item.etag, "last_modified": item.last_modified,
        }
        outcome = store_page(self.db, item.site_id, row, None, now, item.body,  # projects: the extraction stage
                             page.to_json() if page else None, item.found_links)
        if record.get("error"):
            record_error(self.db, item.url, item.site_id, record.get("kind", "parse"), record["error"], now,
                         self.run_id)
        elif page.cut_at:
            logger.warning("Main text of %s cut at %s characters", item.url, page.cut_at)
            record_error(self.db, item.url, item.site_id, "truncated", f"main text cut at {page.cut_at} characters",
                         now, self.run_id)
        elif problem := thin_text(len(text), page.visible_chars if page else 0):
            logger.warning("Main text lost on %s: %s", item.url, problem)
            record_error(self.db, item.url, item.site_id, "empty_text", problem, now, self.run_id)
        return outcome

    def on_crawl_error(self, url: str, site_id: str | None, kind: str, message: str, status: int | None = None) -> None:
        try:
            self._record_crawl_error(url, site_id, kind, message, status)
        except sqlite3.Error as error:
            logger.error("Could not record the %s error of %s: %s", kind, url, error)
            self.unstored.append((url, site_id, f"{kind}: {message}; then {error}"))
            if self.stats is not None:
                self.stats.inc_value("kommunarkiv/store_failures")

    def _record_crawl_error(self, url: str, site_id: str | None, kind: str, message: str, status: int | None) -> None:
        now = utc_now()
        with write_transaction(self.db):
            record_error(self.db, url, site_id, kind, message, now, self.run_id)
            gone = status in (404, 410) and mark_removed(self.db, [url], now)
            if gone:
                logger.info("Page gone (HTTP %s), marked removed: %s", status, url)
            record_outcome(self.db, self.run_id, url, site_id, "removed" if gone else "error")

    def on_site_moved(self, site_id: str, url: str) -> None:
        site = self.db.table("sites").get(site_id)
        logger.warning("Site %s moved from %s to %s; recording its new address", site_id, site["base_url"], url)
        with write_transaction(self.db):
            self.db.table("sites").update(site_id, {"base_url": url, "host": netloc(url), "moved_from": site["base_url"],
                                                    "moved_at": utc_now()})
