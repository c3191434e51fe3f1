"""Distributed crawling's parts against a real redis-server (no crawl): leases, the shared frontier, in-flight
requests of a dead worker coming back, and the writer storing pages from Redis into a real archive."""
from __future__ import annotations

import os
import pickle
import sqlite3
import subprocess
import sys
import time

import pytest
import scrapy
from redis import Redis

from pipelines.items import PageItem
from pipelines.page import Block, CleanPage
from pipelines.versions import unpack_links
from scraper.distributed import (ACQUIRE_LEASE, ENQUEUE, _Finished, SpreadPriorityQueue, WorkerScheduler,
                                 worker_settings)
from scraper.writer import Writer


class _Spider(scrapy.Spider):
    name = "site"

    def parse_page(self, response):
        yield from ()


def test_a_hosts_leases_never_exceed_the_limit_and_lapse(redis_url):
    server = Redis.from_url(redis_url)
    acquire = server.register_script(ACQUIRE_LEASE)
    keys = ["t:lease:kiruna.se", "t:lease-next:kiruna.se"]
    assert acquire(keys=keys, args=[2, 60_000, 0, "a"]) == 0
    assert acquire(keys=keys, args=[2, 60_000, 0, "b"]) == 0
    assert acquire(keys=keys, args=[2, 60_000, 0, "c"]) > 0  # a third must wait
    assert acquire(keys=["t:lease:lulea.se", "t:lease-next:lulea.se"], args=[2, 60_000, 0, "d"]) == 0
    server.zrem(keys[0], "a")
    assert acquire(keys=keys, args=[2, 60_000, 0, "c"]) == 0
    # A worker killed while holding leases: they lapse after the lease time.
    assert acquire(keys=["t:lease:boden.se", "t:lease-next:boden.se"], args=[1, 1, 0, "x"]) == 0
    time.sleep(0.01)
    assert acquire(keys=["t:lease:boden.se", "t:lease-next:boden.se"], args=[1, 60_000, 0, "y"]) == 0
    # The delay between request starts holds across workers too.
    assert acquire(keys=["t:lease:pitea.se", "t:lease-next:pitea.se"], args=[5, 60_000, 5_000, "p"]) == 0
    assert 4_000 < acquire(keys=["t:lease:pitea.se", "t:lease-next:pitea.se"], args=[5, 60_000, 5_000, "q"]) <= 5_000


def test_two_workers_share_a_sites_seen_set_budget_and_trap_caps(redis_url):
    spider = _Spider()
    one, two = _scheduler(redis_url, spider, max_pages=3, max_query_variants=2), _scheduler(redis_url, spider, 3, 2)

    def page(scheduler: WorkerScheduler, url: str) -> bool:
        return scheduler.enqueue_request(scrapy.Request(url, callback=spider.parse_page, meta={"site_id": "2523"}))

    assert page(one, "https://gellivare.se/a.html")
    assert not page(two, "https://gellivare.se/a.html")  # the other worker queued it
    assert page(two, "https://gellivare.se/kalender?datum=1") and page(one, "https://gellivare.se/kalender?datum=2")
    assert not page(two, "https://gellivare.se/b.html")  # three pages: the site's budget is spent, for both
    assert one.enqueue_request(scrapy.Request("https://gellivare.se/sitemap.xml", callback=spider.parse_page,
                                              meta={"site_id": "2523", "auxiliary": True}))  # not a page
    assert len(one.queue) == 4


def _scheduler(redis_url: str, spider: scrapy.Spider, max_pages: int = 100, max_query_variants: int = 20
               ) -> WorkerScheduler:
    server = Redis.from_url(redis_url)
    settings = worker_settings(redis_url, "t")
    scheduler = WorkerScheduler(server, prefix="t", persist=True, queue_key=settings["SCHEDULER_QUEUE_KEY"],
                                queue_cls="scraper.distributed.SpreadPriorityQueue",
                                dupefilter_key=settings["SCHEDULER_DUPEFILTER_KEY"])
    scheduler.spider = spider
    scheduler.max_pages, scheduler.max_query_variants, scheduler.max_per_pattern = max_pages, max_query_variants, 300
    scheduler.enqueue = server.register_script(ENQUEUE)
    scheduler.queue = SpreadPriorityQueue(server, spider, settings["SCHEDULER_QUEUE_KEY"])
    from scrapy_redis.dupefilter import RFPDupeFilter
    scheduler.df = RFPDupeFilter(server, settings["SCHEDULER_DUPEFILTER_KEY"])
    return scheduler


def test_a_dead_workers_requests_in_flight_come_back(redis_url):
    spider = _Spider()
    dead, alive = _scheduler(redis_url, spider), _scheduler(redis_url, spider)
    for n in range(3):
        assert dead.enqueue_request(scrapy.Request(f"https://kiruna.se/{n}", callback=spider.parse_page,
                                                   priority=n))
    assert not dead.enqueue_request(scrapy.Request("https://kiruna.se/1", callback=spider.parse_page))  # seen
    dead.beat()
    taken = [dead.next_request(), dead.next_request()]
    assert [r.url for r in taken] == ["https://kiruna.se/2", "https://kiruna.se/1"]  # priority first
    assert len(dead.queue) == 1 and dead.server.hlen(dead.inflight_key) == 2
    taken[0].callback = _Finished(lambda response: iter(["an item"]), taken[0].callback.done,
                                  taken[0].callback.item_out)
    assert list(taken[0].callback(None)) == ["an item"]  # handed on, but the item is still in the pipelines...
    assert dead.server.hlen(dead.inflight_key) == 2
    response = scrapy.http.Response(taken[0].url, request=taken[0])
    dead.on_item_done("an item", response)  # ...until it left them (item_scraped)
    assert dead.server.hlen(dead.inflight_key) == 1
    assert alive.reclaim() == 0  # its heartbeat is still fresh
    dead.server.delete(dead.key("worker", dead.worker_id))  # kill -9: the heartbeat key expires
    assert alive.reclaim() == 1
    assert sorted(alive.next_request().url for _ in range(2)) == ["https://kiruna.se/0", "https://kiruna.se/1"]


def test_a_retried_request_leaves_in_flight_once_queued_again(redis_url):
    spider = _Spider()
    scheduler = _scheduler(redis_url, spider)
    scheduler.enqueue_request(scrapy.Request("https://kiruna.se/x", callback=spider.parse_page))
    request = scheduler.next_request()
    assert scheduler.server.hlen(scheduler.inflight_key) == 1
    scheduler.enqueue_request(request.replace(dont_filter=True))  # what RetryMiddleware does
    assert scheduler.server.hlen(scheduler.inflight_key) == 0 and len(scheduler.queue) == 1
    assert scheduler.next_request().callback.wrapped == spider.parse_page


def _page(url: str, text: str) -> bytes:
    item = PageItem(url=url, site_id="2523", http_status=200, content_type="text/html", html="", body=b"<p>x</p>",
                    page=CleanPage(url=url, title="T", blocks=[Block("p", text)]),
                    record={"is_project_page": False, "projects": []}, found_links=[(url + "/mer", 5)])
    return pickle.dumps(("page", item))


def test_the_writer_stores_pages_and_a_half_written_batch_again(redis_url, tmp_path):
    server = Redis.from_url(redis_url)
    server.hset("t:sites", "2523", '{"id": "2523", "name": "Gällivare kommun", "kind": "municipality", '
                                   '"kommunkod": "2523", "county_code": "25", "county": "Norrbottens län", '
                                   '"base_url": "https://gellivare.se/", "host": "gellivare.se"}')
    server.rpush("t:pages", _page("https://gellivare.se/a", "Första sidan"), _page("https://gellivare.se/b", "Andra"))
    server.rpush("t:pages:writing", _page("https://gellivare.se/c", "Halvskriven"))  # a killed writer's batch
    writer = Writer(server, tmp_path / "archive.db", prefix="t", batch=10)
    assert writer.step() == 1 and writer.step() == 2 and writer.step() == 0
    assert not server.exists("t:pages:writing")
    assert writer.crawl_done()  # sites known, no worker alive, nothing queued, in flight or unwritten
    report = writer.finish()
    writer.close()
    db = sqlite3.connect(tmp_path / "archive.db")
    assert sorted(r[0] for r in db.execute("select url from pages")) == [
        "https://gellivare.se/a", "https://gellivare.se/b", "https://gellivare.se/c"]
    assert db.execute("select status, pages_fetched from crawl_runs").fetchone() == ("finished", 3)
    assert {url: unpack_links(links) for url, links in db.execute("select url, links_gz from page_versions")} == {
        url: [(url + "/mer", 5)] for url in ("https://gellivare.se/a", "https://gellivare.se/b", "https://gellivare.se/c")}
    assert report.finished and not list(server.scan_iter("t:*"))  # the crawl's keys are cleared


@pytest.fixture
def no_redis_server(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr("scraper.local_redis.REDIS_SERVER", "no-such-redis-server")


def test_without_redis_server_the_fixture_says_why(no_redis_server):
    from scraper.local_redis import RedisUnavailable, local_redis

    with pytest.raises(RedisUnavailable, match="apt-get install -y redis-server"):
        with local_redis():
            pass


def test_the_lease_time_comes_from_the_environment(redis_url):
    """KOMMUNARKIV_LEASE_SECONDS (how soon a killed worker's leases lapse) reaches the lease middleware, in ms."""
    code = ("from types import SimpleNamespace; from scrapy.settings import Settings; from scraper import settings; "
            "from scraper.distributed import SiteLeaseMiddleware, worker_settings; "
            "s = Settings(); s.setmodule(settings); s.update(worker_settings(%r)); "
            "print(SiteLeaseMiddleware.from_crawler(SimpleNamespace(settings=s)).lease_ms)" % redis_url)
    for env, expected in (({"KOMMUNARKIV_LEASE_SECONDS": "7"}, "7000"), ({"KOMMUNARKIV_DOWNLOAD_TIMEOUT": "5"}, "15000")):
        result = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True,
                                timeout=120)
        assert result.stdout.strip() == expected, result.stderr[-2000:]
