"""Downloader middlewares: robots.txt obeyed by every waiting request, conditional re-fetches answered from the
archive, and Retry-After obeyed."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Headers, HtmlResponse, Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from sqlite_utils import Database

from pipelines.versions import body_hash, latest_body
from scraper.scrapy_internals import cached_robot_parser, check_scrapy, hold_slot

logger = logging.getLogger(__name__)

CONDITIONAL_HEADERS = ("If-None-Match", "If-Modified-Since")
UNCHANGED = "unchanged"  # response flag: the archive already holds this page's current body


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, fixed for requests that wait together on a host's robots.txt.

    In Scrapy 2.19 every request arriving while robots.txt downloads awaits one Deferred; the first
    awaiter consumes its result and the others get None, i.e. "no robots.txt", and are fetched even
    when disallowed (scrapy/scrapy#6802 changed the waiting). A resumed crawl, which starts with many
    queued requests per host, hit this. Once the Deferred fires the parser is stored, so read it there.
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """The host's parsed robots.txt, also for requests that waited for it."""
        parser = await super().robot_parser(request)
        return parser if parser is not None else cached_robot_parser(self, urlparse_cached(request).netloc)


class ConditionalRequestMiddleware:
    """Re-fetch a stored page only if it changed: send its ETag and Last-Modified back, and turn a
    304 (or a body identical to the stored one) into a response flagged "unchanged" that carries the
    stored body, so the spider still follows its links without the pipelines re-reading it."""

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
        """Answer a 304 with the stored body; flag a 200 whose body is the stored one."""
        stored = request.meta.get("stored_body_hash")
        if not stored:
            return response
        if response.status == 304:
            kept = latest_body(self.archive(), request.url)
            if kept is None:
                logger.warning("%s answered 304 but the archive has no body for it; fetching it in full", request.url)
                return request.replace(meta={**request.meta, "unconditional": True}, dont_filter=True)
            headers = Headers(response.headers)
            headers["Content-Type"] = kept[1]
            return HtmlResponse(url=response.url, status=304, headers=headers, body=kept[0], request=request,
                                flags=[*response.flags, UNCHANGED])
        if response.status == 200 and body_hash(response.body) == stored:
            return response.replace(flags=[*response.flags, UNCHANGED])
        return response


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
