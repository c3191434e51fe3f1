"""Run the site spider over a list of sites into an archive, from our own process, as one crawl run.

Resuming: each page is stored in the same transaction as its crawl-frontier entry (its outcome and
the links it queued), so an interrupted run, even by `kill -9`, can continue from the archive with
`--resume`. We chose this over Scrapy's JOBDIR: JOBDIR pickles the scheduler queue and dupefilter
to separate files written outside the archive's transactions, so after a kill the queue, the
dupefilter and the archive can disagree (pages stored but re-queued, or requests popped and lost),
and requests with callbacks and errbacks must survive pickling.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings

from pipelines.reextract import run_stage
from pipelines.runs import finish_run, interrupt_run, resumable_run, resume_run, start_run
from pipelines.store import ArchiveError, archive_writable, check_archive_file, open_archive, utc_now
from scraper.spiders.site import SiteSpider

logger = logging.getLogger(__name__)
# Loggers whose INFO is start-up inventory (settings, middlewares, spaCy's model set-up, stats) or that repeat,
# per URL, the failures the spider reports itself (retries given up, robots.txt not fetched): warnings and up
# only, or nothing. The spider logs a dead site once.
QUIET_LOGGERS = {"scrapy.middleware": logging.WARNING, "scrapy.addons": logging.WARNING,
                 "scrapy.utils.log": logging.WARNING, "scrapy.crawler": logging.WARNING,
                 "scrapy.statscollectors": logging.WARNING,
                 "scrapy.extensions.telnet": logging.WARNING, "scrapy.extensions.remote_control": logging.WARNING,
                 "spacy": logging.WARNING, "scrapy.downloadermiddlewares.retry": logging.CRITICAL,
                 "scrapy.downloadermiddlewares.robotstxt": logging.CRITICAL}


class QuietFilter(logging.Filter):
    """Drops records of QUIET_LOGGERS (or their children) below the level kept for them."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, level in QUIET_LOGGERS.items():
            if record.name == name or record.name.startswith(name + "."):
                return record.levelno >= level
        return True


def log_handler(settings: Settings) -> logging.Handler:
    """Scrapy's stderr log (its format, date format and level) with QuietFilter, unless the level is DEBUG."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT")))
    handler.setLevel(settings.get("LOG_LEVEL"))
    if str(settings.get("LOG_LEVEL")).upper() != "DEBUG":
        handler.addFilter(QuietFilter())
    return handler


class CrawlError(RuntimeError):
    """A crawl that cannot start."""


class CrawlLocked(CrawlError):
    """Another crawl is writing to the archive."""


@contextmanager
def archive_lock(db: Path) -> Iterator[None]:
    """Hold the archive's crawl lock: an advisory flock on `<archive>.lock` beside it, released on exit (also when
    the process dies). CrawlLocked when another crawl holds it; CrawlError when nothing can be written there."""
    lock_path = db.with_name(db.name + ".lock")
    try:
        handle = lock_path.open("a+", encoding="utf-8")
    except OSError as error:
        raise CrawlError(f"cannot write beside the archive {db}: {error.strerror}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise CrawlLocked(f"another crawl ({holder}) is writing to {db}; not starting a second one") from None
        handle.truncate(0)
        handle.write(f"pid {os.getpid()}, started {utc_now()}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class CrawlReport:
    """How a crawl run ended: its id, whether it finished, each site's totals, Scrapy's stats."""

    run_id: int
    finished: bool
    sites: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def unstored(self) -> int:
        """Pages fetched but not written to the archive (a storage error; recorded as crawl_errors kind 'store')."""
        return self.stats.get("kommunarkiv/store_failures", 0)

    @property
    def broken(self) -> list[dict[str, Any]]:
        """The sites whose yield collapsed."""
        return [site for site in self.sites if site["status"] == "broken"]


def crawl_settings(db: Path | None, sites: list[dict[str, Any]], overrides: dict[str, Any] | None = None) -> Settings:
    """The project's Scrapy settings, pointed at an archive (None: a distributed worker has none) and sites."""
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    if db is not None:
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
    """Crawl the sites into the archive at `db` as a new run, or continue the interrupted run when `resume`.

    One crawl per archive at a time: CrawlLocked when another holds the archive's lock; CrawlError when
    the archive is read-only.
    """
    try:
        check_archive_file(db)
    except ArchiveError as error:
        raise CrawlError(str(error)) from None
    if db.exists() and not archive_writable(db):
        raise CrawlError(f"the archive {db} is read-only: a crawl needs to write to it")
    if resume and not (db.is_file() and db.stat().st_size):
        raise CrawlError(f"{db} has no interrupted crawl to resume")  # and creates neither it nor its lock
    with archive_lock(db):
        return _run_crawl(sites, db, max_pages, overrides, resume)


def _run_crawl(sites: list[dict[str, Any]], db: Path, max_pages: int | None, overrides: dict[str, Any] | None,
               resume: bool) -> CrawlReport:
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
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # ours: Scrapy's format, QuietFilter
    process = AsyncCrawlerProcess(settings)
    logging.root.addHandler(log_handler(settings))
    logging.root.setLevel(logging.NOTSET)  # as Scrapy's own root handler would: the handler's level decides
    logging.getLogger("spacy").setLevel(logging.WARNING)  # spaCy logs model set-up through its own handler
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
        pages, _ = run_stage(archive, workers=workers)
    finally:
        archive.close()
    logger.info("Extracted %d pages and merged descriptions of the same project (the archive's totals follow)",
                pages)
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


def run_worker(sites: list[dict[str, Any]], redis_url: str, max_pages: int | None = None,
               overrides: dict[str, Any] | None = None) -> CrawlReport:
    """Crawl as one worker of the distributed crawl at `redis_url` (scraper.distributed); never opens an archive.

    Returns a report with run id 0 (the writer owns the run) and whether this worker finished.
    """
    from scraper.distributed import redis_client, worker_settings

    try:
        redis_client(redis_url)
    except Exception as error:  # redis.exceptions.ConnectionError, ValueError for a malformed URL
        raise CrawlError(f"cannot reach Redis at {redis_url}: {error}") from None
    settings = crawl_settings(None, sites, {**(overrides or {}), **worker_settings(redis_url)})
    max_pages = max_pages or settings.getint("KOMMUNARKIV_MAX_PAGES")
    settings.set("KOMMUNARKIV_MAX_PAGES", max_pages, priority="cmdline")
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(SiteSpider)
    process.crawl(crawler, sites=sites, max_pages=max_pages)
    process.start()
    stats = crawler.stats.get_stats()
    return CrawlReport(0, stats.get("finish_reason") == "finished", stats=stats)
