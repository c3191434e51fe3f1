"""Links kept with a page's version: an unchanged re-crawl follows them without parsing the page again.

Saved responses (a bundled sample-site page) through the spider, the store pipeline and the conditional-request
middleware on a tmp archive, without a crawl.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.linkextractors import LinkExtractor

from pipelines.stages import CleanPipeline, StorePipeline
from pipelines.store import open_archive
from pipelines.versions import latest_links
from scraper.middlewares import STORED_LINKS, UNCHANGED, ConditionalRequestMiddleware
from scraper.spiders.site import SiteSpider
from test_item_pipelines import store_pipeline
from test_spider import BASE, GALLIVARE, SITE, file_response, spider  # noqa: F401 (the fixture)

URL = BASE + "/naringsliv/utvecklingsprojekt.html"
PAGE = GALLIVARE / "naringsliv" / "utvecklingsprojekt.html"


class CountingExtractor(LinkExtractor):
    """Scrapy's link extractor, counting its calls; with `fail`, any call fails the test."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__(unique=True)
        self.calls = 0
        self.fail = fail

    def extract_links(self, response):
        assert not self.fail, "the link extractor parsed a page whose links were stored"
        self.calls += 1
        return super().extract_links(response)


def fresh(spider: SiteSpider, extractor: LinkExtractor) -> SiteSpider:
    """The spider of a new run: its frontier forgotten, `extractor` as its link extractor."""
    again = SiteSpider.from_crawler(spider.crawler, sites=[SITE], max_pages=50)
    again.link_extractor = extractor
    return again


def split(results: list) -> tuple:
    """The page item and its follow-up requests as (url, priority)."""
    return results[0], [(r.url, r.priority) for r in results[1:]]


@pytest.fixture
def crawled(tmp_path: Path, spider: SiteSpider) -> tuple[StorePipeline, list[tuple[str, int]]]:
    """An archive file holding the page as a first crawl stored it, and the requests that crawl queued from it."""
    item, requests = split(list(spider.parse_page(file_response(PAGE, URL))))
    store = store_pipeline(str(tmp_path / "archive.db"))
    store.process_item(CleanPipeline().process_item(item))
    yield store, requests
    store.db.close()


def revisit(store: StorePipeline, status: int) -> Response:
    """The page fetched again through the conditional-request middleware: a 304, or a 200 with the same body."""
    middleware = ConditionalRequestMiddleware(store.db_path)
    request = Request(URL, meta={"site_id": SITE["id"]})
    middleware.process_request(request)
    assert request.meta["stored_body_hash"]
    body = b"" if status == 304 else file_response(PAGE, URL).body
    response = middleware.process_response(request, HtmlResponse(URL, status=status, body=body, request=request,
                                                                  headers={"Content-Type": "text/html"}))
    middleware.close()
    return response


def test_a_fetched_page_stores_its_links_before_the_same_site_filter(crawled) -> None:
    store, requests = crawled
    links, content_type = latest_links(store.db, URL)
    assert content_type.startswith("text/html")
    assert set(requests) < set(links)  # the same-site ones are followed, all are kept
    assert any(url.startswith("https://www.facebook.com/") for url, _ in links)
    assert (BASE + "/naringsliv/utvecklingsprojekt/landa-norr.html", 5) in links


@pytest.mark.parametrize("status", [304, 200])
def test_an_unchanged_page_follows_its_stored_links_without_parsing_the_page(crawled, spider: SiteSpider,
                                                                           status: int) -> None:
    store, first_requests = crawled
    response = revisit(store, status)
    assert UNCHANGED in response.flags and response.meta[STORED_LINKS]
    if status == 304:
        assert response.body == b"" and response.headers["Content-Type"].startswith(b"text/html")
    item, requests = split(list(fresh(spider, CountingExtractor(fail=True)).parse_page(response)))
    assert item.state == "unchanged" and item.found_links is None
    assert requests == first_requests
    assert [(url, priority) for url, priority, _ in item.links] == first_requests


def test_links_past_the_depth_limit_are_not_followed_from_the_archive_either(crawled, spider: SiteSpider) -> None:
    store, _ = crawled
    response = revisit(store, 304)
    response.meta["depth"] = spider.depth_limit
    assert split(list(fresh(spider, CountingExtractor(fail=True)).parse_page(response)))[1] == []


def test_an_archive_without_stored_links_reads_the_stored_body_then_keeps_its_links(crawled, spider: SiteSpider) -> None:
    store, first_requests = crawled
    store.db.table("page_versions").transform(drop={"links_gz"})  # an archive made before links were kept
    store.db.close()
    store.db = open_archive(store.db_path)  # brought up to the declared shape: the column is back, empty
    assert latest_links(store.db, URL) is None
    response = revisit(store, 304)
    assert UNCHANGED in response.flags and STORED_LINKS not in response.meta and b"landa-norr" in response.body
    extractor = CountingExtractor()
    item, requests = split(list(fresh(spider, extractor).parse_page(response)))
    assert extractor.calls == 1 and requests == first_requests
    store.process_item(item)  # the unchanged page's links, read again, are kept with its version
    assert latest_links(store.db, URL)[0] == item.found_links
    assert revisit(store, 304).body == b""
