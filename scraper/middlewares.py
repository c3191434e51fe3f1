"""Downloader middlewares: robots.txt by RFC 9309, losses (redirect loops, bombs) raised for the record,
conditional re-fetches answered from the archive, and Retry-After obeyed."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from urllib.parse import urljoin

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers, HtmlResponse, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from sqlite_utils import Database
from twisted.internet.defer import Deferred
from w3lib.url import canonicalize_url

from pipelines.versions import body_hash, latest_body, latest_links
from pipelines.signals import crawl_error
from scraper.scrapy_internals import cached_robot_parser, check_scrapy, hold_slot, set_slot_delay

logger = logging.getLogger(__name__)

CONDITIONAL_HEADERS = ("If-None-Match", "If-Modified-Since")
UNCHANGED = "unchanged"  # response flag: the archive already holds this page's current body
STORED_LINKS = "stored_links"  # request.meta of an unchanged page: the (url, priority) links kept with its version


DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


class Loss(IgnoreRequest):
    """A request given up for a reason the archive must keep: `kind` (crawl_errors.kind) and a one-line message.

    Raised by the downloader middlewares below; the spider's errback logs it at WARNING and records it.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class RobotsMiddleware(RobotsTxtMiddleware):
    """robots.txt by RFC 9309, fetched once per host per run and parsed with Protego (Scrapy's parser).

    - 2xx: its rules; `Crawl-delay` sets the host's download delay to the larger of it and ours, capped at
      KOMMUNARKIV_MAX_CRAWL_DELAY seconds (logged when capped), and AutoThrottle leaves that delay alone.
    - 4xx: no rules (allow all), RFC 9309 section 2.3.1.3.
    - 5xx or unreachable (timeout, refused, DNS): disallow all for this run (section 2.3.1.4), logged at
      WARNING and recorded in crawl_errors as `robots_5xx` / `robots_unreachable`; the next run asks again.

    Requests that arrive while robots.txt downloads all wait for the one parser: in Scrapy 2.19 the first
    awaiter of the shared Deferred consumes its result and the others got None ("no robots.txt"), so they
    read the stored parser instead. Scrapy's `robots_parsed` signal hands the spider the Sitemap: lines.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.max_crawl_delay = crawler.settings.getfloat("KOMMUNARKIV_MAX_CRAWL_DELAY")
        self.own_delay = crawler.settings.getfloat("DOWNLOAD_DELAY")
        self.delays: dict[str, float] = {}  # download-slot key -> delay from Crawl-delay

    async def process_request(self, request: Request) -> None:
        """Wait for the host's rules; drop a disallowed request; keep AutoThrottle off a Crawl-delay host."""
        await super().process_request(request)
        if self.delays and self._slot_key(request) in self.delays:
            request.meta["autothrottle_dont_adjust_delay"] = True

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """The host's parser: downloaded and read once, then shared by every request to the host."""
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers:
            self._parsers[netloc] = waiting = Deferred()
            parts = urlparse_cached(request)
            robots = Request(f"{parts.scheme}://{netloc}/robots.txt", priority=self.DOWNLOAD_PRIORITY,
                             callback=NO_CALLBACK, meta={"dont_obey_robotstxt": True, "auxiliary": True,
                                                         "site_id": request.meta.get("site_id")})
            try:
                response = await self.crawler.engine.download_async(robots)
            except Exception as error:  # unreachable: every download failure means "undefined", so disallow all
                parser = self._disallow_all(robots, "robots_unreachable", _failure_reason(error), None)
            else:
                parser = await self._read(robots, response, request)
            self._stats.inc_value("robotstxt/request_count")
            self._parsers[netloc] = parser
            waiting.callback(parser)
        parser = self._parsers[netloc]
        if isinstance(parser, Deferred):
            await maybe_deferred_to_future(parser)
            parser = cached_robot_parser(self, netloc)
        return parser

    async def _read(self, robots: Request, response: Response, request: Request) -> RobotParser | None:
        """The parser for a robots.txt response, by its status."""
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        if response.status >= 500:
            return self._disallow_all(robots, "robots_5xx", f"HTTP {response.status}", response.status)
        if response.status >= 400:
            logger.info("No robots.txt at %s (HTTP %d): everything allowed", robots.url, response.status)
            return None
        parser = build_from_crawler(self._parserimpl, self.crawler, response.body)
        self._apply_crawl_delay(parser, request)
        await self.crawler.signals.send_catch_log_async(signal=signals.robots_parsed, robotparser=parser,
                                                        request=request)
        return parser

    def _disallow_all(self, robots: Request, kind: str, reason: str, status: int | None) -> RobotParser:
        """A parser that forbids everything, with the failure logged and recorded."""
        message = f"robots.txt {reason}: the whole site is disallowed this run (RFC 9309)"
        logger.warning("%s: %s", robots.url, message)
        self.crawler.signals.send_catch_log(signal=crawl_error, url=robots.url, site_id=robots.meta.get("site_id"),
                                            kind=kind, message=message, status=status)
        return build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL)

    def _apply_crawl_delay(self, parser: RobotParser, request: Request) -> None:
        """Slow the host's download slot to its Crawl-delay (at most max_crawl_delay), without jitter."""
        useragent = self._robotstxt_useragent or self._default_useragent
        asked = parser.rp.crawl_delay(useragent) if hasattr(parser, "rp") else None
        if not asked or asked <= self.own_delay:
            return
        delay = min(float(asked), self.max_crawl_delay)
        if delay < asked:
            logger.warning("%s asks for Crawl-delay %s s; capped at %s s (KOMMUNARKIV_MAX_CRAWL_DELAY)",
                           urlparse_cached(request).netloc, asked, delay)
        else:
            logger.info("%s asks for Crawl-delay %s s: obeyed", urlparse_cached(request).netloc, asked)
        self.delays[self._slot_key(request)] = delay
        set_slot_delay(self.crawler.engine.downloader, request, delay)

    def _slot_key(self, request: Request) -> str:
        return self.crawler.engine.downloader.get_slot_key(request)


def _failure_reason(error: BaseException) -> str:
    """A short reason for a download failure."""
    name = type(error).__name__
    if "Timeout" in name:
        return "timed out"
    if "Refused" in name:
        return "connection refused"
    if "Resolve" in name or "DNS" in name:
        return "host name not found"
    return f"unreachable ({name}: {error})"


class RedirectLossMiddleware:
    """Record the redirects Scrapy would lose silently: to the page itself (its dupefilter drops it), back to an
    earlier URL of the chain (a loop), and past REDIRECT_MAX_TIMES. Runs before RedirectMiddleware."""

    def __init__(self, max_redirects: int) -> None:
        self.max_redirects = max_redirects

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RedirectLossMiddleware":
        return cls(crawler.settings.getint("REDIRECT_MAX_TIMES"))

    def process_response(self, request: Request, response: Response) -> Response:
        """Raise Loss for a self-redirect, a loop or an overlong chain; pass everything else on."""
        location = response.headers.get("Location")
        if (response.status not in REDIRECT_STATUSES or not location or request.meta.get("dont_redirect")
                or response.status in request.meta.get("handle_httpstatus_list", ())):
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        loss = redirect_loss(request, target, self.max_redirects, f"HTTP {response.status}")
        if loss:
            raise loss
        return response


def redirect_loss(request: Request, target: str, max_redirects: int, how: str) -> Loss | None:
    """The Loss when following `target` from `request` would go nowhere, else None."""
    seen = [canonicalize_url(url) for url in request.meta.get("redirect_urls", [])]
    if canonicalize_url(target) == canonicalize_url(request.url):
        return Loss("self_redirect", f"{how} redirects to itself")
    if canonicalize_url(target) in seen:
        return Loss("redirect_loop", f"{how} redirect loop back to {target} after {len(seen)} redirects")
    if request.meta.get("redirect_times", 0) >= max_redirects:
        return Loss("redirect_chain", f"more than {max_redirects} redirects (REDIRECT_MAX_TIMES), last to {target}")
    return None


class SelfRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, except that a page refreshing to itself is kept as it is (Scrapy's
    dupefilter dropped it), and a refresh loop is recorded."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        result = super().process_response(request, response)
        if not isinstance(result, Request):
            return result
        loss = redirect_loss(request, result.url, self.max_redirect_times, "meta refresh")
        if loss and loss.kind == "self_redirect":
            logger.info("%s refreshes to itself: kept as it is", request.url)
            return response
        if loss:
            raise loss
        return result


class BoundedCompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression, with a body that inflates beyond its size limit (a gzip bomb, or an oversize page)
    recorded as `too_large` instead of dropped at debug level."""

    def process_response(self, request: Request, response: Response) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as error:
            raise Loss("too_large", f"body inflates beyond the size limit during decompression: {error}") from error


class ConditionalRequestMiddleware:
    """Re-fetch a stored page only if it changed: send its ETag and Last-Modified back, and flag a 304 (or a body
    identical to the stored one) "unchanged", so the spider follows its links without the pipelines re-reading it.
    The links kept with the page's version go to the spider in request.meta[STORED_LINKS] (a 304 becomes an empty
    response with the stored Content-Type); a version stored without links gives a 304 its stored body instead."""

    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.db: Database | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ConditionalRequestMiddleware":
        middleware = cls(crawler.settings.get("KOMMUNARKIV_DB"))
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def archive(self) -> Database:
        """A connection of our own to the archive (WAL lets it read while the store pipeline writes)."""
        if self.db is None:
            self.db = Database(self.db_path)
        return self.db

    def close(self) -> None:
        """Close the archive connection."""
        if self.db is not None:
            self.db.close()

    def process_request(self, request: Request) -> None:
        """Add the stored validators to a page request."""
        for name in CONDITIONAL_HEADERS:
            request.headers.pop(name, None)
        request.meta.pop("stored_body_hash", None)
        request.meta.pop(STORED_LINKS, None)
        if not request.meta.get("site_id") or request.meta.get("auxiliary") or request.meta.get("unconditional"):
            return
        row = self.archive().execute("select etag, last_modified, body_hash from pages where url = ? and "
                                     "version is not null", [request.url]).fetchone()
        if not row or not row[2]:
            return
        etag, last_modified, request.meta["stored_body_hash"] = row
        if etag:
            request.headers["If-None-Match"] = etag
        if last_modified:
            request.headers["If-Modified-Since"] = last_modified
        request.meta["handle_httpstatus_list"] = [*request.meta.get("handle_httpstatus_list", []), 304]

    def process_response(self, request: Request, response: Response) -> Response | Request:
        """Answer a 304 with the stored links (or body); flag a 200 whose body is the stored one."""
        stored = request.meta.get("stored_body_hash")
        if not stored or response.status not in (200, 304):
            return response
        if response.status == 200 and body_hash(response.body) != stored:
            return response
        kept_links = latest_links(self.archive(), request.url)
        if kept_links is not None:
            request.meta[STORED_LINKS] = kept_links[0]
        if response.status == 200:
            return response.replace(flags=[*response.flags, UNCHANGED])
        if kept_links is not None:
            return self._unchanged(request, response, kept_links[1], b"")
        kept = latest_body(self.archive(), request.url)
        if kept is None:
            logger.warning("%s answered 304 but the archive has no body for it; fetching it in full", request.url)
            return request.replace(meta={**request.meta, "unconditional": True}, dont_filter=True)
        return self._unchanged(request, response, kept[1], kept[0])

    @staticmethod
    def _unchanged(request: Request, response: Response, content_type: str, body: bytes) -> HtmlResponse:
        """The 304 as an HTML response flagged unchanged, with the stored Content-Type and `body`."""
        headers = Headers(response.headers)
        headers["Content-Type"] = content_type
        return HtmlResponse(url=response.url, status=304, headers=headers, body=body, request=request,
                            flags=[*response.flags, UNCHANGED])


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    if text.strip().isdigit():
        return float(text.strip())
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware:
    """On a 429 or 503 with Retry-After, hold that site's download slot for the time asked (capped at
    KOMMUNARKIV_RETRY_AFTER_MAX seconds); Scrapy's RetryMiddleware then retries after the pause."""

    def __init__(self, crawler: Crawler, max_wait: float) -> None:
        self.crawler = crawler
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "RetryAfterMiddleware":
        check_scrapy()
        return cls(crawler, crawler.settings.getfloat("KOMMUNARKIV_RETRY_AFTER_MAX"))

    def process_response(self, request: Request, response: Response) -> Response:
        """Pause the slot when the server asks us to come back later."""
        if response.status in (429, 503):
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is not None:
                wait = min(wait, self.max_wait)
                logger.info("%s answered %d with Retry-After: pausing its site for %.0f s", request.url,
                            response.status, wait)
                hold_slot(self.crawler.engine.downloader, request, wait)
        return response
