"""The spider's parse methods on saved responses (the bundled sample sites' files), without a crawl."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from pipelines.items import PageItem
from pipelines.signals import crawl_error, site_moved
from scraper import settings
from scraper.middlewares import UNCHANGED
from scraper.sample_server import SAMPLE_SITES
from scraper.spiders.site import SiteSpider

BASE = "https://www.gellivare.se"
SITE = {"id": "2523", "base_url": BASE + "/"}
GALLIVARE = SAMPLE_SITES / "gallivare"


def file_response(path: Path, url: str, content_type: str = "text/html; charset=utf-8", flags=(),
                  meta: dict | None = None, cls: type[Response] = HtmlResponse) -> Response:
    """A response to `url` whose body is a sample-site file, its {{BASE_URL}} filled in (City Bureau's habit)."""
    body = path.read_bytes().replace(b"{{BASE_URL}}", BASE.encode())
    request = Request(url, meta={"site_id": SITE["id"], **(meta or {})})
    return cls(url=url, body=body, headers={"Content-Type": content_type}, request=request, flags=list(flags))


@pytest.fixture
def spider() -> SiteSpider:
    crawler = get_crawler(SiteSpider, {name: getattr(settings, name) for name in dir(settings) if name.isupper()})
    spider = SiteSpider.from_crawler(crawler, sites=[SITE], max_pages=50)
    spider.sent = []
    for signal in (crawl_error, site_moved):
        crawler.signals.connect(lambda signal=signal, **kwargs: spider.sent.append((signal, kwargs)), signal=signal,
                                weak=False)
    return spider


def test_sitemap_pages_are_queued_project_hints_first(spider: SiteSpider) -> None:
    response = file_response(GALLIVARE / "sitemap.xml", BASE + "/sitemap.xml", "application/xml", cls=Response)
    requests = list(spider.parse_sitemap(response))
    urls = [r.url for r in requests]
    assert BASE + "/naringsliv/utvecklingsprojekt/landa-norr.html" in urls and len(urls) == len(set(urls)) > 5
    by_url = {r.url: r.priority for r in requests}
    assert by_url[BASE + "/naringsliv/utvecklingsprojekt.html"] > by_url[BASE + "/naringsliv.html"]
    assert all(r.callback == spider.parse_page for r in requests)


def test_a_gzipped_sitemap_reads_like_a_plain_one(spider: SiteSpider) -> None:
    plain = file_response(GALLIVARE / "sitemap.xml", BASE + "/sitemap.xml", "application/xml", cls=Response)
    expected = [r.url for r in spider.parse_sitemap(plain)]
    spider.frontiers = SiteSpider.from_crawler(spider.crawler, sites=[SITE], max_pages=50).frontiers  # forget them
    zipped = plain.replace(url=BASE + "/sitemap.xml.gz", body=gzip.compress(plain.body))
    assert [r.url for r in spider.parse_sitemap(zipped)] == expected


def test_a_gz_url_serving_plain_xml_reads_as_a_sitemap(spider: SiteSpider) -> None:
    """A server that decoded the .gz itself (Content-Encoding: gzip, undone by Scrapy) sends plain XML, here with a BOM."""
    plain = file_response(GALLIVARE / "sitemap.xml", BASE + "/sitemap.xml", "application/xml", cls=Response)
    expected = [r.url for r in spider.parse_sitemap(plain)]
    spider.frontiers = SiteSpider.from_crawler(spider.crawler, sites=[SITE], max_pages=50).frontiers  # forget them
    decoded = plain.replace(url=BASE + "/sitemap.xml.gz", body=b"\xef\xbb\xbf" + plain.body)
    assert [r.url for r in spider.parse_sitemap(decoded)] == expected and not spider.sent


def test_a_malformed_sitemap_is_skipped_and_recorded(spider: SiteSpider) -> None:
    response = Response(BASE + "/sitemap.xml", body=b"<urlset><url><loc>", request=Request(
        BASE + "/sitemap.xml", meta={"site_id": SITE["id"]}))
    assert list(spider.parse_sitemap(response)) == []
    assert [(signal, kwargs["kind"]) for signal, kwargs in spider.sent] == [(crawl_error, "sitemap")]


def corrupt_gzip_sitemaps() -> dict[str, bytes]:
    """Gzip sitemaps damaged in the ways downloads and disks damage them (invented sitemap, no real page)."""
    whole = gzip.compress(b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                          + b"".join(b"<url><loc>%s/p/%d</loc></url>" % (BASE.encode(), n) for n in range(2000))
                          + b"</urlset>")
    return {"truncated": whole[:len(whole) // 2],  # Scrapy's gunzip returns the half it could read: malformed XML
            "bad checksum": whole[:-8] + bytes(8),
            "random bytes after the magic": b"\x1f\x8b\x08\x00" + bytes(range(256)) * 8,
            "no gzip header at all": bytes(range(256)) * 8}


@pytest.mark.parametrize("damage", list(corrupt_gzip_sitemaps()))
def test_a_corrupt_gzip_sitemap_is_recorded_as_sitemap_gzip(spider: SiteSpider, damage: str) -> None:
    url = BASE + "/sitemap.xml.gz"
    response = Response(url, body=corrupt_gzip_sitemaps()[damage], headers={"Content-Type": "application/x-gzip"},
                        request=Request(url, meta={"site_id": SITE["id"]}))
    assert list(spider.parse_sitemap(response)) == []
    assert [(signal, kwargs["kind"]) for signal, kwargs in spider.sent] == [(crawl_error, "sitemap_gzip")]


def test_a_page_yields_its_item_then_its_same_site_links(spider: SiteSpider) -> None:
    url = BASE + "/naringsliv/utvecklingsprojekt.html"
    results = list(spider.parse_page(file_response(GALLIVARE / "naringsliv" / "utvecklingsprojekt.html", url)))
    item, requests = results[0], results[1:]
    assert isinstance(item, PageItem) and item.state == "fetched" and item.site_id == SITE["id"]
    assert "<html" in item.html.lower() and item.body
    assert requests and all(r.url.startswith(BASE) for r in requests)
    assert [link for link, _, _ in item.links] == [r.url for r in requests]
    assert BASE + "/naringsliv/utvecklingsprojekt/landa-norr.html" in [r.url for r in requests]


def test_an_unchanged_page_is_passed_on_without_its_html(spider: SiteSpider) -> None:
    url = BASE + "/naringsliv.html"
    results = list(spider.parse_page(file_response(GALLIVARE / "naringsliv.html", url, flags=[UNCHANGED])))
    assert results[0].state == "unchanged" and results[0].html == "" and results[0].body is None
    assert len(results) > 1  # its links are still followed


def test_a_non_html_response_is_skipped(spider: SiteSpider) -> None:
    path = GALLIVARE / "images" / "18.4f5a2b3c18a1e2d3f4a5b7d" / "1695123456790" / "bild.svg"
    results = list(spider.parse_page(file_response(path, BASE + "/bild.svg", "image/svg+xml", cls=Response)))
    assert [(r.state, r.html) for r in results] == [("skipped", "")]


def test_a_home_page_redirected_to_a_new_host_moves_the_site(spider: SiteSpider) -> None:
    new = "https://www.gallivare.se/"
    response = file_response(GALLIVARE / "index.html", new, meta={"redirect_urls": [BASE + "/"]})
    results = list(spider.parse_page(response))
    assert any(isinstance(r, Request) and r.url == "https://www.gallivare.se/sitemap.xml" for r in results)
    assert [(signal, kwargs["url"]) for signal, kwargs in spider.sent] == [(site_moved, new)]
    assert spider._site_of(new + "kontakta-oss.html") == SITE["id"]
