"""The one writer of a distributed crawl: `kommunarkiv store --redis ...` moves pages from Redis into archive.db.

SQLite allows one writer, so crawl workers never open the archive: they push pages, crawl errors and site
moves onto `<prefix>:pages` (scraper.distributed.RedisPagePipeline). The writer takes them in batches,
moving each batch to `<prefix>:pages:writing` first and deleting it only after the batch's transaction
committed; a writer killed mid-batch stores that batch again when it restarts (the writes are upserts).
It opens the crawl run on the first start and keeps its id in Redis (`<prefix>:run_id`), so a restarted
writer continues the same run. When no worker is alive and nothing is queued, in flight or unwritten, it
closes the run (per-site totals, broken sites) and deletes the crawl's keys, so the next crawl starts fresh.
"""
from __future__ import annotations

import json
import logging
import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis import Redis

from pipelines.runs import finish_run, resume_run, start_run
from pipelines.reextract import run_stage
from pipelines.stages import StorePipeline
from pipelines.store import open_archive, prune_organisations, store_site, utc_now, write_transaction
from scraper import settings
from scraper.crawl import CrawlReport, archive_lock
from scraper.distributed import DEFAULT_PREFIX, redis_client

logger = logging.getLogger(__name__)

# Move up to ARGV[1] messages from the page list to the writing list, atomically; return them.
TAKE_BATCH = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items > 0 then
  redis.call('LTRIM', KEYS[1], #items, -1)
  redis.call('RPUSH', KEYS[2], unpack(items))
end
return items
"""


@dataclass
class WriterStats:
    """What a writer stored: messages, pages, seconds spent in archive transactions."""

    messages: int = 0
    pages: int = 0
    write_seconds: float = 0.0


class Writer:
    """Store a distributed crawl's pages from Redis into one archive."""

    def __init__(self, server: Redis, db: Path, prefix: str = DEFAULT_PREFIX, batch: int = 200,
                 remove_after: int = 3) -> None:
        self.server = server
        self.db = db
        self.prefix = prefix
        self.batch = batch
        self.remove_after = remove_after
        self.archive = open_archive(db)
        self.take = server.register_script(TAKE_BATCH)
        self.sites: dict[str, dict[str, Any]] = {}
        self.run_id = self._open_run()
        self.store = StorePipeline(str(db), [], self.run_id)
        self.store.db = self.archive
        self.stats = WriterStats()

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def _open_run(self) -> int:
        """The crawl's run: the one recorded in Redis (a restarted writer), else a new one."""
        known = self.server.get(self.key("run_id"))
        if known and self.archive.execute("select 1 from crawl_runs where id = ?", [int(known)]).fetchone():
            resume_run(self.archive, int(known))
            logger.info("Writer continues crawl run %s", int(known))
            return int(known)
        run_id = start_run(self.archive, [], 0, utc_now())
        self.server.set(self.key("run_id"), run_id)
        logger.info("Writer opened crawl run %s", run_id)
        return run_id

    def _new_sites(self) -> None:
        """Record the sites workers announced since the last look."""
        announced = self.server.hgetall(self.key("sites"))
        fresh = [json.loads(v) for k, v in announced.items() if k.decode() not in self.sites]
        if fresh:
            with write_transaction(self.archive):
                for site in fresh:
                    store_site(self.archive, site, utc_now())
                    self.sites[site["id"]] = site

    def write_batch(self, messages: list[bytes]) -> None:
        """Store one batch of messages in one transaction."""
        started = time.perf_counter()
        with write_transaction(self.archive):
            for data in messages:
                kind, payload = pickle.loads(data)
                if kind == "page":
                    self.store.process_item(payload)
                    self.stats.pages += 1
                elif kind == "error":
                    self.store.on_crawl_error(**payload)
                elif kind == "moved":
                    self.store.on_site_moved(**payload)
        self.stats.write_seconds += time.perf_counter() - started
        self.stats.messages += len(messages)

    def step(self) -> int:
        """Store what is waiting (first a batch a killed writer left half-written); return messages stored."""
        self._new_sites()
        writing = self.key("pages", "writing")
        messages = self.server.lrange(writing, 0, -1) or self.take(keys=[self.key("pages"), writing],
                                                                    args=[self.batch])
        if messages:
            self.write_batch(messages)
            self.server.delete(writing)
        return len(messages)

    def crawl_done(self) -> bool:
        """True when the crawl started, no worker is alive, and nothing is queued, in flight or unwritten."""
        if not self.server.exists(self.key("sites")):
            return False
        workers = [w.decode() for w in self.server.smembers(self.key("workers"))]
        if any(self.server.exists(self.key("worker", w)) for w in workers):
            return False
        inflight = [k for k in self.server.scan_iter(self.key("inflight", "*")) if self.server.hlen(k)]
        if inflight:
            logger.warning("No worker alive but %d workers' requests in flight: start a worker to finish them",
                           len(inflight))
            return False
        return not (self.server.zcard(self.key("requests")) or self.server.llen(self.key("pages")))

    def finish(self) -> CrawlReport:
        """Close the run (totals, broken sites, pages long absent marked removed) and clear the crawl's keys."""
        max_pages = int(self.server.get(self.key("max_pages")) or 0)
        with write_transaction(self.archive):
            self.archive.table("crawl_runs").update(self.run_id, {"sites": json.dumps(list(self.sites.values())),
                                                                  "max_pages": max_pages})
        # Extraction of the stored pages, before site health counts project pages; processes as for `crawl`.
        run_stage(self.archive, workers=settings.KOMMUNARKIV_EXTRACT_WORKERS or None)
        sites = finish_run(self.archive, self.run_id, 0, self.remove_after, utc_now())
        prune_organisations(self.archive)
        keys = list(self.server.scan_iter(self.key("*")))
        if keys:
            self.server.delete(*keys)
        return CrawlReport(self.run_id, True, sites, {"writer_pages": self.stats.pages})

    def close(self) -> None:
        self.archive.close()


def run_writer(url: str, db: Path, prefix: str = DEFAULT_PREFIX, batch: int = 200, poll: float = 0.5,
               remove_after: int = 3) -> CrawlReport:
    """Store the distributed crawl at `url` into `db` until the crawl is done; return the run's report.

    Holds the archive's crawl lock (CrawlLocked when a crawl or another writer is writing to it).
    """
    server = redis_client(url)
    with archive_lock(db):
        return _write_until_done(Writer(server, db, prefix, batch, remove_after), poll)


def _write_until_done(writer: Writer, poll: float) -> CrawlReport:
    try:
        while True:
            if writer.step():
                continue
            if writer.crawl_done():
                writer.step()
                report = writer.finish()
                logger.info("Writer stored %d pages in %.1f s of transactions", writer.stats.pages,
                            writer.stats.write_seconds)
                return report
            time.sleep(poll)
    finally:
        writer.close()
