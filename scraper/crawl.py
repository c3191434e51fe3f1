"""Run the site spider over a list of sites into an archive, from our own process, as one crawl run.

Resuming: each page is stored in the same transaction as its crawl-frontier entry (its outcome and
the links it queued), so an interrupted run, even by `kill -9`, can continue from the archive with
`--resume`. We chose this over Scrapy's JOBDIR: JOBDIR pickles the scheduler queue and dupefilter
to separate files written outside the archive's transactions, so after a kill the queue, the
dupefilter and the archive can disagree (pages stored but re-queued, or requests popped and lost),
and requests with callbacks and errbacks must survive pickling.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings

from pipelines.reextract import run_stage
from pipelines.runs import finish_run, interrupt_run, resumable_run, resume_run, start_run
from pipelines.store import open_archive, utc_now
from scraper.spiders.site import SiteSpider

logger = logging.getLogger(__name__)


class CrawlError(RuntimeError):
    """A crawl that cannot start."""


@dataclass
class CrawlReport:
    """How a crawl run ended: its id, whether it finished, each site's totals, Scrapy's stats."""

    run_id: int
    finished: bool
    sites: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def broken(self) -> list[dict[str, Any]]:
        """The sites whose yield collapsed."""
        return [site for site in self.sites if site["status"] == "broken"]


def crawl_settings(db: Path, sites: list[dict[str, Any]], overrides: dict[str, Any] | None = None) -> Settings:
    """The project's Scrapy settings, pointed at an archive and a list of sites."""
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    settings.set("KOMMUNARKIV_DB", str(db), priority="cmdline")
    settings.set("KOMMUNARKIV_SITES", sites, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def apply_moves(db: Any, sites: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sites whose listed address the archive knows has moved start from their new address."""
    moved = []
    for site in sites:
        row = next(db.query("select base_url, host, moved_from from sites where id = ?", [site["id"]]), None)
        if row and row["moved_from"] == site["base_url"]:
            logger.info("Site %s moved: crawling %s instead of %s", site["id"], row["base_url"], site["base_url"])
            site = {**site, "base_url": row["base_url"], "host": row["host"]}
        moved.append(site)
    return moved


def run_crawl(sites: list[dict[str, Any]], db: Path, max_pages: int | None = None,
              overrides: dict[str, Any] | None = None, resume: bool = False) -> CrawlReport:
    """Crawl the sites into the archive at `db` as a new run, or continue the interrupted run when `resume`."""
    settings = crawl_settings(db, sites, overrides)
    archive = open_archive(db)
    frontier = None
    if resume:
        run = resumable_run(archive)
        if run is None:
            archive.close()
            raise CrawlError(f"{db} has no interrupted crawl to resume")
        run_id, sites, max_pages = run["id"], json.loads(run["sites"]), run["max_pages"]
        frontier = resume_run(archive, run_id)
        logger.info("Resuming crawl run %s (%d sites)", run_id, len(sites))
    else:
        sites = apply_moves(archive, sites)
        max_pages = max_pages or settings.getint("KOMMUNARKIV_MAX_PAGES")
        run_id = start_run(archive, sites, max_pages, utc_now())
    archive.close()
    settings = crawl_settings(db, sites, {**(overrides or {}), "KOMMUNARKIV_RUN_ID": run_id,
                                          "KOMMUNARKIV_MAX_PAGES": max_pages})
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(SiteSpider)
    process.crawl(crawler, sites=sites, max_pages=max_pages, resume=frontier)
    process.start()
    stats = crawler.stats.get_stats()
    if stats.get("finish_reason") == "finished":
        extract_pending(db, settings.getint("KOMMUNARKIV_EXTRACT_WORKERS") or None)
    return _close_run(db, run_id, stats, settings.getint("KOMMUNARKIV_REMOVE_AFTER"))


def extract_pending(db: Path, workers: int | None = None) -> int:
    """Run the extraction stage over the pages the crawl stored (new or changed text, or an older extractor's);
    return how many were extracted. An interrupted crawl leaves them pending for its --resume."""
    archive = open_archive(db)
    try:
        pages, projects = run_stage(archive, workers=workers)
    finally:
        archive.close()
    logger.info("Extracted %d pages; the archive holds %d projects", pages, projects)
    return pages


def _close_run(db: Path, run_id: int, stats: dict[str, Any], remove_after: int) -> CrawlReport:
    """Total a finished run and flag broken sites, or leave an interrupted one resumable."""
    archive = open_archive(db)
    received = stats.get("downloader/response_bytes", 0)
    try:
        if stats.get("finish_reason") != "finished":
            interrupt_run(archive, run_id, received)
            logger.warning("Crawl run %s stopped (%s): continue it with --resume", run_id,
                           stats.get("finish_reason", "killed"))
            return CrawlReport(run_id, False, stats=stats)
        sites = finish_run(archive, run_id, received, remove_after, utc_now())
    finally:
        archive.close()
    for site in sites:
        if site["status"] == "broken":
            logger.error("Site %s looks broken: %s", site["site_id"], site["problem"])
    return CrawlReport(run_id, True, sites, stats)
