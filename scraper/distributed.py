"""Distributed crawling on scrapy-redis: many crawl workers, one frontier, one seen-set and one writer.

`kommunarkiv crawl --redis redis://HOST:PORT/N ...` runs a worker. Every worker shares, in Redis:

- the frontier: scrapy-redis's Scheduler with a priority queue (`<prefix>:requests`), persisted;
- the seen-set: scrapy-redis's RFPDupeFilter (`<prefix>:dupefilter`), plus each site's page budget
  (`<prefix>:site:<id>:seen`, so `--max-pages` holds for the site across all workers);
- in-flight requests (`<prefix>:inflight:<worker>`): scrapy-redis pops a request and forgets it, so a
  worker killed mid-request loses it. Here a request moves from the queue into its worker's in-flight
  hash in one Redis script and leaves it when its callback or errback has handed on everything it made;
  a worker whose heartbeat key (`<prefix>:worker:<id>`) expired has its in-flight requests put back
  into the queue by any other worker;
- politeness: a lease per host (`<prefix>:lease:<host>`) with expiry, so at most
  CONCURRENT_REQUESTS_PER_DOMAIN requests are in flight per host across all workers, started no closer
  than DOWNLOAD_DELAY apart; a killed worker's leases lapse after KOMMUNARKIV_LEASE_SECONDS;
- stored pages: workers clean each page and push it, with crawl errors and site moves, onto `<prefix>:pages`;
  `kommunarkiv store --redis ...` (scraper.writer) is the one process that writes archive.db, and runs the
  extraction stage (pipelines/reextract.py) over the stored pages when the crawl is done.

Workers stop when the whole crawl is idle: no queued request, none in flight on any worker.
"""
from __future__ import annotations

import json
import logging
import os
import pickle
import random
import socket
import threading
import uuid
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

from redis import Redis
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from pipelines.items import PageItem
from pipelines.signals import crawl_error, site_moved
from pipelines.urls import netloc
from scraper.frontier import SiteScopes, path_pattern

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "kommunarkiv"
HEARTBEAT_SECONDS = 2.0  # a worker refreshes its key this often...
WORKER_TTL_SECONDS = int(os.environ.get("KOMMUNARKIV_WORKER_TTL", "15"))  # ...and is presumed dead this long after

# Pop the best request and record it in the worker's in-flight hash, atomically: a kill cannot lose it between.
POP_TO_INFLIGHT = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0)
if #top == 0 then return nil end
redis.call('ZREM', KEYS[1], top[1])
local id = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], id, top[1])
return {id, top[1]}
"""

# Take a lease on a host: 0 when taken, else milliseconds to wait. Redis's clock serves every worker.
ACQUIRE_LEASE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 20 end
local next_start = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < next_start then return next_start - now end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[4])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[2], now + tonumber(ARGV[3]), 'PX', tonumber(ARGV[3])) end
return 0
"""

# Queue a request, atomically with its seen-set entries: the request fingerprint in scrapy-redis's dupefilter set
# and, for a page, its URL in its site's seen-set within the page budget and trap caps. A worker killed before
# this script ran has claimed nothing, so the page that linked to the request (still in flight) makes it again.
# KEYS: dupefilter, queue, site seen, site query-variant counts (by path), site URL-shape counts (by pattern).
# ARGV: fingerprint, request, score, filter (0/1), claim (0/1), url, max pages, path ("" without a query),
#       pattern, max query variants, max per pattern. Returns 1 when queued, 0 when seen or over a limit.
ENQUEUE = """
if ARGV[4] == '1' and redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
if ARGV[5] == '1' then
  if redis.call('SISMEMBER', KEYS[3], ARGV[6]) == 1 then return 0 end
  if redis.call('SCARD', KEYS[3]) >= tonumber(ARGV[7]) then return 0 end
  if ARGV[8] ~= '' and tonumber(redis.call('HGET', KEYS[4], ARGV[8]) or '0') >= tonumber(ARGV[10]) then return 0 end
  if tonumber(redis.call('HGET', KEYS[5], ARGV[9]) or '0') >= tonumber(ARGV[11]) then return 0 end
  redis.call('SADD', KEYS[3], ARGV[6])
  if ARGV[8] ~= '' then redis.call('HINCRBY', KEYS[4], ARGV[8], 1) end
  redis.call('HINCRBY', KEYS[5], ARGV[9], 1)
end
if ARGV[4] == '1' then redis.call('SADD', KEYS[1], ARGV[1]) end
redis.call('ZADD', KEYS[2], tonumber(ARGV[3]), ARGV[2])
return 1
"""


def redis_client(url: str) -> Redis:
    """A Redis client for `redis://HOST:PORT/N`, checked with PING (redis.exceptions.ConnectionError if down)."""
    client = Redis.from_url(url)
    client.ping()
    return client


def worker_settings(url: str, prefix: str = DEFAULT_PREFIX) -> dict[str, Any]:
    """Scrapy settings that make a crawl a worker of the distributed crawl at `url` under key prefix `prefix`."""
    from scraper import settings as base

    middlewares = {**base.DOWNLOADER_MIDDLEWARES,
                   # Workers have no archive to answer conditional requests from: re-crawls fetch in full.
                   "scraper.middlewares.ConditionalRequestMiddleware": None,
                   "scraper.distributed.SiteLeaseMiddleware": 950}
    return {
        "REDIS_URL": url,
        "KOMMUNARKIV_REDIS_PREFIX": prefix,
        "SCHEDULER": "scraper.distributed.WorkerScheduler",
        "SCHEDULER_QUEUE_CLASS": "scraper.distributed.SpreadPriorityQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        "SCHEDULER_PERSIST": True,
        "DOWNLOADER_MIDDLEWARES": middlewares,
        "ITEM_PIPELINES": {"pipelines.stages.CleanPipeline": 100, "scraper.distributed.RedisPagePipeline": 300},
    }


class SpreadPriorityQueue(PriorityQueue):
    """scrapy-redis's priority queue, with requests of equal priority in random order (so that sites interleave
    instead of one site's URLs, sorted together, filling every worker's slots) and an atomic pop into in-flight."""

    def push(self, request: Request) -> None:
        self.server.zadd(self.key, {self._encode_request(request): self.score(request)})

    @staticmethod
    def score(request: Request) -> float:
        """Lower pops first: minus the priority, plus a random fraction that interleaves equal priorities."""
        return -request.priority + random.random() * 0.5

    def pop_to(self, inflight_key: str, counter_key: str) -> tuple[str, bytes] | None:
        """(in-flight id, encoded request) of the best request, moved into `inflight_key`; None when empty."""
        found = self.server.eval(POP_TO_INFLIGHT, 3, self.key, inflight_key, counter_key)
        return (found[0].decode() if isinstance(found[0], bytes) else str(found[0]), found[1]) if found else None


class _Finished:
    """A request's callback or errback that counts the items it hands on and, once it has handed on everything,
    reports the callback over (the request leaves in-flight when its last item has left the item pipelines)."""

    def __init__(self, wrapped: Callable[..., Any] | None, done: Callable[[], None],
                 item_out: Callable[[Any], None] = lambda output: None) -> None:
        self.wrapped = wrapped
        self.done = done
        self.item_out = item_out

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.wrapped is None:  # a request without errback: done, and the failure goes on as usual
            self.done()
            return args[0]
        return self._run(*args, **kwargs)

    def _run(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        try:
            for output in self.wrapped(*args, **kwargs) or ():
                self.item_out(output)
                yield output
        finally:
            self.done()


class WorkerScheduler(Scheduler):
    """scrapy-redis's Scheduler, plus in-flight tracking, worker heartbeats and whole-crawl idleness."""

    def __init__(self, server: Redis, prefix: str = DEFAULT_PREFIX, **kwargs: Any) -> None:
        super().__init__(server, **kwargs)
        self.prefix = prefix
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.heartbeat = None
        self.crawler: Crawler | None = None
        self.max_pages = self.max_query_variants = self.max_per_pattern = 0
        self.enqueue: Any = None
        self.pending: dict[str, int] = {}  # in-flight id -> its items still in the item pipelines (-1: callback over)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "WorkerScheduler":
        scheduler = super().from_crawler(crawler)
        scheduler.prefix = crawler.settings.get("KOMMUNARKIV_REDIS_PREFIX", DEFAULT_PREFIX)
        scheduler.crawler = crawler
        settings = crawler.settings
        scheduler.max_pages = settings.getint("KOMMUNARKIV_MAX_PAGES")
        scheduler.max_query_variants = settings.getint("KOMMUNARKIV_MAX_QUERY_VARIANTS")
        scheduler.max_per_pattern = settings.getint("KOMMUNARKIV_MAX_PER_PATTERN")
        scheduler.enqueue = scheduler.server.register_script(ENQUEUE)
        crawler.signals.connect(scheduler.on_idle, signal=signals.spider_idle)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(scheduler.on_item_done, signal=signal)
        return scheduler

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    @property
    def inflight_key(self) -> str:
        return self.key("inflight", self.worker_id)

    def open(self, spider: Any) -> None:
        super().open(spider)
        self._stopping = threading.Event()
        threading.Thread(target=self._keep_alive, name="kommunarkiv-heartbeat", daemon=True).start()
        self.beat()
        settings = self.crawler.settings
        for site in settings.getlist("KOMMUNARKIV_SITES"):  # the writer records the sites workers announce
            self.server.hsetnx(self.key("sites"), site["id"], json.dumps(site))
        self.server.set(self.key("max_pages"), settings.getint("KOMMUNARKIV_MAX_PAGES"), nx=True)
        self.reclaim()
        self.heartbeat = create_looping_call(self.reclaim)
        self.heartbeat.start(HEARTBEAT_SECONDS, now=False)
        logger.info("Worker %s joined the crawl at %s (%d requests queued)", self.worker_id, self.prefix,
                    len(self.queue))

    def close(self, reason: str) -> None:
        if self.heartbeat and self.heartbeat.running:
            self.heartbeat.stop()
        self._stopping.set()
        self.requeue(self.inflight_key)  # a clean stop hands its unfinished requests back
        self.server.delete(self.key("worker", self.worker_id))
        self.server.srem(self.key("workers"), self.worker_id)
        super().close(reason)

    def beat(self) -> None:
        """Say this worker is alive."""
        self.server.set(self.key("worker", self.worker_id), 1, ex=WORKER_TTL_SECONDS)
        self.server.sadd(self.key("workers"), self.worker_id)

    def _keep_alive(self) -> None:
        """Beat from a thread of its own, so that a page that keeps the reactor busy (extraction) is not taken
        for a dead worker; only a dead process (kill -9) stops it."""
        while not self._stopping.wait(HEARTBEAT_SECONDS):
            try:
                self.beat()
            except Exception as error:  # redis.exceptions.ConnectionError: try again next beat
                logger.warning("Heartbeat failed: %s", error)

    def reclaim(self) -> int:
        """Re-queue the in-flight requests of every worker whose heartbeat expired; return how many."""
        count = 0
        for worker in [w.decode() for w in self.server.smembers(self.key("workers"))]:
            if worker != self.worker_id and not self.server.exists(self.key("worker", worker)):
                count += self.requeue(self.key("inflight", worker))
                self.server.srem(self.key("workers"), worker)
                logger.warning("Worker %s stopped answering: its in-flight requests are queued again", worker)
        return count

    def requeue(self, inflight_key: str) -> int:
        """Move an in-flight hash's requests back into the queue (claimed by RENAME, so only one worker does)."""
        claimed = self.key("reclaiming", uuid.uuid4().hex)
        try:
            self.server.rename(inflight_key, claimed)
        except Exception:  # redis.ResponseError: no such key (nothing in flight, or another worker took it)
            return 0
        entries = self.server.hvals(claimed)
        for data in entries:
            self.queue.push(self.queue._decode_request(data))
        self.server.delete(claimed)
        return len(entries)

    def enqueue_request(self, request: Request) -> bool:
        """Queue a request unless seen (scrapy-redis's fingerprint) or, for a page, over its site's budget or a trap
        cap, in one Redis script; a retry or redirect of an in-flight request also ends that request's in-flight entry."""
        inflight_id = request.meta.pop("inflight_id", None)
        for attribute in ("callback", "errback"):
            if isinstance(getattr(request, attribute), _Finished):
                setattr(request, attribute, getattr(request, attribute).wrapped)
        site_id = request.meta.get("site_id")
        claim = bool(site_id) and not request.meta.get("auxiliary") and not request.dont_filter
        parts = urlsplit(request.url)
        queued = self.enqueue(keys=[self.df.key, self.queue.key, *(self.key("site", site_id or "-", name)
                                                                  for name in ("seen", "variants", "patterns"))],
                              args=[self.df.request_fingerprint(request), self.queue._encode_request(request),
                                    self.queue.score(request), int(not request.dont_filter), int(claim),
                                    request.url, self.max_pages, parts.path if parts.query else "",
                                    path_pattern(request.url), self.max_query_variants, self.max_per_pattern])
        if inflight_id:
            self.server.hdel(self.inflight_key, inflight_id)
        if not queued:
            self.df.log(request, self.spider)
        elif self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return bool(queued)

    def next_request(self) -> Request | None:
        found = self.queue.pop_to(self.inflight_key, self.key("inflight-ids"))
        if found is None:
            return None
        inflight_id, data = found
        request = self.queue._decode_request(data)
        request.meta["inflight_id"] = inflight_id
        self.pending[inflight_id] = 0
        done = lambda: self._callback_over(inflight_id)  # noqa: E731
        request.callback = _Finished(request.callback or self.spider._parse, done, self._item_out(inflight_id))
        request.errback = _Finished(request.errback, done, self._item_out(inflight_id))
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _item_out(self, inflight_id: str) -> Callable[[Any], None]:
        def count(output: Any) -> None:
            if not isinstance(output, Request) and inflight_id in self.pending:
                self.pending[inflight_id] += 1
        return count

    def _callback_over(self, inflight_id: str) -> None:
        """The callback handed on all its output: done now, or when its last item leaves the pipelines."""
        if self.pending.get(inflight_id, 0) <= 0:
            self._finished(inflight_id)
        else:
            self.pending[inflight_id] = -self.pending[inflight_id]  # negative: counting down, callback over

    def on_item_done(self, item: Any, response: Any = None, **kwargs: Any) -> None:
        """An item left the pipelines (stored in Redis, dropped or failed): maybe its request is done."""
        inflight_id = (getattr(response, "meta", None) or {}).get("inflight_id")
        left = self.pending.get(inflight_id)
        if left is None:
            return
        if left < 0:
            self.pending[inflight_id] = left + 1
            if left + 1 == 0:
                self._finished(inflight_id)
        else:
            self.pending[inflight_id] = left - 1

    def _finished(self, inflight_id: str) -> None:
        self.pending.pop(inflight_id, None)
        self.server.hdel(self.inflight_key, inflight_id)

    def on_idle(self) -> None:
        """Keep this worker open while any request is queued or in flight anywhere (others may queue more)."""
        self.reclaim()
        busy = len(self.queue) or any(self.server.hlen(key) for key in self.server.scan_iter(self.key("inflight", "*")))
        if busy:
            raise DontCloseSpider


class SiteLeaseMiddleware:
    """Politeness across workers: a request is sent only under one of its host's leases in Redis."""

    def __init__(self, server: Redis, prefix: str, per_host: int, delay: float, lease_seconds: float) -> None:
        self.server = server
        self.prefix = prefix
        self.per_host = per_host
        self.delay_ms = int(delay * 1000)
        self.lease_ms = int(lease_seconds * 1000)
        self.acquire = server.register_script(ACQUIRE_LEASE)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "SiteLeaseMiddleware":
        settings = crawler.settings
        lease = settings.getfloat("KOMMUNARKIV_LEASE_SECONDS") or settings.getfloat("DOWNLOAD_TIMEOUT") + 10
        return cls(redis_client(settings.get("REDIS_URL")), settings.get("KOMMUNARKIV_REDIS_PREFIX", DEFAULT_PREFIX),
                   settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"), settings.getfloat("DOWNLOAD_DELAY"), lease)

    async def process_request(self, request: Request) -> None:
        """Wait (without blocking the reactor) until a lease on the request's host is free, then take it."""
        from twisted.internet import reactor  # the one Scrapy installed (importing it earlier would pick another)
        from twisted.internet.task import deferLater

        host = netloc(request.url)
        token = uuid.uuid4().hex
        keys = [f"{self.prefix}:lease:{host}", f"{self.prefix}:lease-next:{host}"]
        while wait_ms := self.acquire(keys=keys, args=[self.per_host, self.lease_ms, self.delay_ms, token]):
            await maybe_deferred_to_future(deferLater(reactor, min(int(wait_ms), 1000) / 1000))
        request.meta["lease"] = (keys[0], token)

    def _release(self, request: Request) -> None:
        if lease := request.meta.pop("lease", None):
            self.server.zrem(*lease)

    def process_response(self, request: Request, response: Any) -> Any:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._release(request)


class SharedSiteScopes(SiteScopes):
    """Site scopes whose additions (a site that moved to a new host) every worker sees, through Redis."""

    def __init__(self, server: Redis, key: str, sites: list[dict[str, Any]]) -> None:
        super().__init__(sites)
        self.server = server
        self.key = key

    def add(self, base_url: str, site_id: str) -> None:
        super().add(base_url, site_id)
        if hasattr(self, "server"):  # not while the registry's sites are read in
            self.server.hset(self.key, base_url, site_id)

    def _refresh(self, url: str) -> None:
        """Adopt the moves other workers saw, when a URL's host is unknown here."""
        if not super().knows_host(url):
            for base_url, site_id in self.server.hgetall(self.key).items():
                if not super().knows_host(base_url.decode()):
                    SiteScopes.add(self, base_url.decode(), site_id.decode())

    def site_of(self, url: str) -> str | None:
        self._refresh(url)
        return super().site_of(url)

    def knows_host(self, url: str) -> bool:
        self._refresh(url)
        return super().knows_host(url)


def shared_scopes(settings: Any, sites: list[dict[str, Any]]) -> SharedSiteScopes:
    """The sites' scopes, with moves shared by the distributed crawl's workers."""
    prefix = settings.get("KOMMUNARKIV_REDIS_PREFIX", DEFAULT_PREFIX)
    return SharedSiteScopes(redis_client(settings.get("REDIS_URL")), f"{prefix}:moved", sites)


class RedisPagePipeline:
    """The last stage on a worker: push each cleaned page (and each crawl error and site move) onto
    the crawl's page list for the one writer."""

    def __init__(self, server: Redis, key: str) -> None:
        self.server = server
        self.key = key

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RedisPagePipeline":
        settings = crawler.settings
        pipeline = cls(redis_client(settings.get("REDIS_URL")),
                       f"{settings.get('KOMMUNARKIV_REDIS_PREFIX', DEFAULT_PREFIX)}:pages")
        crawler.signals.connect(pipeline.on_crawl_error, signal=crawl_error)
        crawler.signals.connect(pipeline.on_site_moved, signal=site_moved)
        return pipeline

    def push(self, message: tuple[str, Any]) -> None:
        self.server.rpush(self.key, pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    def process_item(self, item: PageItem) -> PageItem:
        item.html = ""  # the writer needs the clean page, the record and the raw body, not the decoded HTML
        self.push(("page", item))
        return item

    def on_crawl_error(self, **kwargs: Any) -> None:
        kwargs.pop("signal", None)
        kwargs.pop("sender", None)
        self.push(("error", kwargs))

    def on_site_moved(self, **kwargs: Any) -> None:
        kwargs.pop("signal", None)
        kwargs.pop("sender", None)
        self.push(("moved", kwargs))
