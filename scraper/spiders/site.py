"""One generic spider for any public-sector site: sitemaps first, then links, within the site's host."""
from __future__ import annotations

import re
import struct
import zlib
from gzip import GzipFile
from io import BytesIO
from typing import Any, Iterator
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from lxml import etree
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError,
                               DownloadTimeoutError, IgnoreRequest)
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure

from pipelines.items import PageItem
from pipelines.runs import Frontier
from pipelines.versions import Links
from pipelines.signals import crawl_error, site_moved
from pipelines.urls import netloc
from scraper.frontier import SiteFrontier, SiteScopes, canonical_url
from scraper.middlewares import STORED_LINKS, UNCHANGED, Loss

STRICT_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
HTML_TYPES = ("text/html", "application/xhtml+xml")
PROJECT_HINT_RE = re.compile(r"projekt|eu-|finansier|utveckling|leader|interreg|esf|samverkan", re.I)


def _header(response: Response, name: str) -> str | None:
    """A response header as text, if present."""
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


UNREACHABLE_KINDS = ("dns", "connection", "timeout")  # a dead host: logged once per site, not once per URL
GZIP_MAGIC = b"\x1f\x8b"
GZIP_TYPES = ("application/gzip", "application/x-gzip")


class SitemapTooLarge(ValueError):
    """A gzip sitemap that inflates beyond the sitemap size limit."""


def is_gzip_sitemap(response: Response) -> bool:
    """Whether a sitemap response is gzip: gzip's magic number, or a `.gz` URL or gzip Content-Type with a body that
    is no XML (a gzip file damaged from its first bytes on, to be recorded as a corrupt gzip sitemap)."""
    if response.body[:2] == GZIP_MAGIC:
        return True
    content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
    declared = urlsplit(response.url).path.lower().endswith(".gz") or content_type.startswith(GZIP_TYPES)
    return declared and response.body.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] != b"<"


def gunzip_whole(data: bytes, max_size: int) -> bytes:
    """The inflated gzip sitemap, read in full with the standard library's gzip (streamed, so a bomb costs at most
    `max_size` bytes). SitemapTooLarge beyond `max_size`; OSError (gzip.BadGzipFile), EOFError or zlib.error for
    a corrupt one: truncated, a wrong checksum, no gzip at all. (Scrapy's gunzip returns as much as it could
    read of a damaged file, which then reads as a malformed sitemap rather than a corrupt gzip one.)"""
    with GzipFile(fileobj=BytesIO(data)) as stream:
        inflated = stream.read(max_size + 1)
    if len(inflated) > max_size:
        raise SitemapTooLarge(f"inflates beyond {max_size} bytes")
    return inflated


class SiteSpider(scrapy.Spider):
    """Crawl each site from its home page and sitemaps, yielding every HTML page as a PageItem.

    A resumed run passes the interrupted run's `resume` frontier: its done URLs are not fetched again
    and its queued ones are requested first; robots.txt, sitemaps and the home page are read again.
    """

    name = "site"

    def __init__(self, sites: list[dict[str, Any]], max_pages: int | None = None, resume: Frontier | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sites = {site["id"]: site for site in sites}
        self.scopes = SiteScopes(sites)
        self.max_pages = max_pages
        self.resume = resume
        self.frontiers: dict[str, SiteFrontier] = {}
        self.link_extractor = LinkExtractor(unique=True)
        self.unreachable: set[tuple[str | None, str]] = set()  # (site, error kind) already logged

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> "SiteSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.max_pages = spider.max_pages or settings.getint("KOMMUNARKIV_MAX_PAGES")
        spider.depth_limit = settings.getint("DEPTH_LIMIT")
        spider.frontiers = {site_id: SiteFrontier(site_id, spider.max_pages,
                                                  settings.getint("KOMMUNARKIV_MAX_QUERY_VARIANTS"),
                                                  settings.getint("KOMMUNARKIV_MAX_PER_PATTERN"))
                            for site_id in spider.sites}
        crawler.signals.connect(spider.on_robots_parsed, signal=signals.robots_parsed)
        if settings.get("REDIS_URL"):  # a distributed crawl's worker: site moves shared (budgets: the scheduler)
            from scraper.distributed import shared_scopes

            spider.scopes = shared_scopes(settings, list(spider.sites.values()))
        return spider

    async def start(self) -> Any:
        for request in self._resumed_requests():
            yield request
        for site in self.sites.values():
            parts = urlsplit(site["base_url"])
            base = f"{parts.scheme}://{parts.netloc}"  # the host's sitemap lives at its root, as robots.txt does
            yield self._sitemap_request(site["id"], f"{base}/sitemap.xml")
            request = self._page_request(site["id"], site["base_url"], priority=80)
            if request:
                yield request

    def _resumed_requests(self) -> Iterator[scrapy.Request]:
        """Replay an interrupted run's frontier: remember what it reached, request what it had queued."""
        if not self.resume:
            return
        for site_id, urls in self.resume.done.items():
            for url in urls:
                if site_id in self.frontiers:
                    self.frontiers[site_id].remember(canonical_url(url))
        self.logger.info("Resuming: %d URLs reached or queued, %d still to fetch",
                         sum(map(len, self.resume.done.values())), len(self.resume.queued))
        for row in self.resume.queued:
            if row["site_id"] in self.frontiers:
                depth = row["depth"] or 0
                yield scrapy.Request(row["url"], callback=self.parse_page, errback=self.on_error,
                                     meta={"site_id": row["site_id"], "depth": depth},
                                     priority=(row["priority"] or 0) - depth * self.settings.getint("DEPTH_PRIORITY"))

    def _sitemap_request(self, site_id: str, url: str) -> scrapy.Request:
        """A request for a sitemap or sitemap index of the site."""
        return scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error, priority=90,
                              meta={"site_id": site_id, "auxiliary": True,
                                    "download_maxsize": self.settings.getint("SITEMAP_MAXSIZE")})

    def _page_request(self, site_id: str, url: str, priority: int = 0) -> scrapy.Request | None:
        """A request for the canonical form of a page's URL, unless seen, over budget or caught in a trap."""
        canonical = self.frontiers[site_id].admit(url)
        if canonical is None:
            return None
        return scrapy.Request(canonical, callback=self.parse_page, errback=self.on_error,
                              meta={"site_id": site_id}, priority=priority)

    def _site_of(self, url: str) -> str | None:
        """The site a URL belongs to (by host and path prefix), or None when it is off every site."""
        return self.scopes.site_of(url)

    def on_robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Queue the sitemaps named in a host's robots.txt (the robots middleware fetched it, once per host); on a
        shared host (lansstyrelsen.se) parse_sitemap hands each page to the site whose path prefix it is under."""
        site_id = self._site_of(request.url) or self.scopes.first_site(request.url)
        for url in getattr(getattr(robotparser, "rp", None), "sitemaps", ()):
            if site_id and netloc(url) == netloc(request.url):
                self.crawler.engine.crawl(self._sitemap_request(site_id, url))

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """Queue the pages of a sitemap (or the sitemaps of an index); record and skip an unreadable one.

        By the sitemap protocol a sitemap holds up to 50,000 URLs and 50 MB uncompressed (SITEMAP_MAX_URLS,
        SITEMAP_MAXSIZE, a larger limit than pages'); URLs past the first 50,000 are left out and recorded.
        A host's sitemap may list several sites' pages (lansstyrelsen.se: 21 county boards): each page is
        queued for the site whose path prefix it falls under.
        """
        site_id = response.meta["site_id"]
        body = response.body
        if is_gzip_sitemap(response):
            limit = self.settings.getint("SITEMAP_MAXSIZE")
            try:
                body = gunzip_whole(body, max_size=limit)
            except SitemapTooLarge:
                self._loss(response.url, site_id, "sitemap_too_large",
                           f"gzip sitemap inflates beyond {limit} bytes (a gzip bomb?)")
                return
            except (OSError, EOFError, zlib.error, struct.error) as error:
                self._loss(response.url, site_id, "sitemap_gzip", f"unreadable gzip sitemap: {error}")
                return
        try:
            etree.fromstring(body, parser=STRICT_XML)
            sitemap = Sitemap(body)
            entries = [entry.get("loc", "").strip() for entry in sitemap]
        except etree.XMLSyntaxError as error:
            self.logger.warning("Skipping malformed sitemap %s: %s", response.url, error)
            self._error(response.url, site_id, "sitemap", f"malformed sitemap: {error}")
            return
        if sitemap.type not in ("urlset", "sitemapindex"):
            self.logger.warning("Skipping %s: not a sitemap (root element %r)", response.url, sitemap.type)
            return
        most = self.settings.getint("SITEMAP_MAX_URLS")
        if len(entries) > most:
            self._loss(response.url, site_id, "sitemap_too_many_urls",
                       f"{len(entries)} URLs, the protocol allows {most}: the rest left out")
            entries = entries[:most]
        for loc in filter(None, entries):
            if sitemap.type == "sitemapindex":
                if netloc(loc) == netloc(response.url):
                    yield self._sitemap_request(site_id, loc)
            elif (owner := self._site_of(loc)) and (
                    request := self._page_request(owner, loc, priority=self._priority(loc, "") + 10)):
                yield request

    def parse_page(self, response: Response) -> Iterator[Any]:
        """Yield the page for the pipelines (with the links it queues), then follow those links."""
        site_id = response.meta["site_id"]
        yield from self._adopt_redirect(response, site_id)
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if not isinstance(response, TextResponse) or not content_type.startswith(HTML_TYPES):
            self.logger.info("Skipping non-HTML response %s (%s)", response.url, content_type or "no type")
            yield PageItem(url=response.url, site_id=site_id, http_status=response.status, content_type=content_type,
                           html="", state="skipped")
            return
        fetched = UNCHANGED not in response.flags
        depth = response.meta.get("depth", 0)
        stored = None if fetched else response.meta.get(STORED_LINKS)
        found = stored if stored is not None else self._read_links(response, depth)
        requests = list(self._follow_links(found or [], site_id, depth))
        yield PageItem(url=response.url, site_id=site_id, http_status=response.status, content_type=content_type,
                       html=response.text if fetched else "", state="fetched" if fetched else "unchanged",
                       body=response.body if fetched else None, etag=_header(response, "ETag"),
                       last_modified=_header(response, "Last-Modified"),
                       links=[(request.url, request.priority, depth + 1) for request in requests],
                       found_links=None if stored is not None else found)
        yield from requests

    def _read_links(self, response: TextResponse, depth: int) -> Links | None:
        """The page's links as (url, priority), from its body; None past the depth limit (not read)."""
        if self.depth_limit and depth + 1 > self.depth_limit:
            return None
        return [(link.url, self._priority(link.url, link.text)) for link in self.link_extractor.extract_links(response)]

    def _follow_links(self, links: Links, site_id: str, depth: int) -> Iterator[scrapy.Request]:
        """Requests for the page's links on the same site, within the depth limit and the site's frontier."""
        if self.depth_limit and depth + 1 > self.depth_limit:
            return
        for url, priority in links:
            if self._site_of(url) == site_id and (request := self._page_request(site_id, url, priority=priority)):
                yield request

    def _adopt_redirect(self, response: Response, site_id: str) -> Iterator[scrapy.Request]:
        """When a site's home page redirects to another host, crawl that host (and its sitemap) as the site."""
        redirects = response.meta.get("redirect_urls") or []
        if redirects and not self.scopes.knows_host(response.url) and self.scopes.knows_host(redirects[0]):
            self.logger.warning("Site %s moved: %s redirects to %s", site_id, redirects[0], response.url)
            parts = urlsplit(response.url)
            self.scopes.add(f"{parts.scheme}://{parts.netloc}/", site_id)
            self.crawler.signals.send_catch_log(signal=site_moved, site_id=site_id, url=response.url)
            yield self._sitemap_request(site_id, f"{parts.scheme}://{parts.netloc}/sitemap.xml")

    @staticmethod
    def _priority(url: str, text: str) -> int:
        """Higher for links whose URL or text hints at project pages."""
        return 5 if PROJECT_HINT_RE.search(url) or PROJECT_HINT_RE.search(text or "") else 0

    def on_error(self, failure: Failure) -> None:
        """Log a failed request with a clear reason and record it in the archive."""
        request = failure.request
        site_id = request.meta.get("site_id")
        if failure.check(Loss):  # recorded under the URL that was queued, the start of any redirect chain
            first = (request.meta.get("redirect_urls") or [request.url])[0]
            where = f" (at {request.url})" if first != request.url else ""
            self._loss(first, site_id, failure.value.kind, failure.value.message + where)
            return
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.logger.debug("Not fetching %s: %s", request.url, failure.getErrorMessage())
            return
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            kind, message = f"http_{status // 100}xx", f"HTTP {status}"
        elif failure.check(CannotResolveHostError):
            kind, message = "dns", "host name not found"
        elif failure.check(DownloadConnectionRefusedError):
            kind, message = "connection", "connection refused"
        elif failure.check(DownloadTimeoutError):
            kind, message = "timeout", "request timed out"
        elif failure.check(DownloadCancelledError, CancelledError):  # the download handler stops at the size limit
            kind = "too_large"
            message = f"body larger than the size limit ({request.meta.get('download_maxsize') or 'DOWNLOAD_MAXSIZE'})"
        else:
            kind, message = "other", f"{failure.type.__name__}: {failure.getErrorMessage()}"
        if request.meta.get("auxiliary") and kind == "http_4xx":
            self.logger.info("No %s (%s)", request.url, message)
            return
        if kind in UNREACHABLE_KINDS:
            if (site_id, kind) in self.unreachable:
                self.logger.debug("Could not fetch %s (%s): %s", request.url, kind, message)
            else:
                self.unreachable.add((site_id, kind))
                self.logger.warning("Site %s unreachable: %s at %s (further %s errors on it are recorded in "
                                    "crawl_errors, not logged)", site_id, message, request.url, kind)
        else:
            self.logger.warning("Could not fetch %s (%s): %s", request.url, kind, message)
        self._error(request.url, site_id, kind, message, status)

    def _loss(self, url: str, site_id: str | None, kind: str, message: str) -> None:
        """Log a lost page or sitemap at WARNING and record it."""
        self.logger.warning("Lost %s (%s): %s", url, kind, message)
        self._error(url, site_id, kind, message)

    def _error(self, url: str, site_id: str | None, kind: str, message: str, status: int | None = None) -> None:
        """Hand a fetch error to the store pipeline."""
        self.crawler.signals.send_catch_log(signal=crawl_error, url=url, site_id=site_id, kind=kind, message=message,
                                            status=status)

