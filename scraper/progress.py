"""A live progress line on stderr: pages, unchanged pages and errors, overall and for the busiest sites."""
from __future__ import annotations

import sys
import time
from collections import Counter
from typing import Any, TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from pipelines.items import PageItem
from pipelines.signals import crawl_error

SITES_SHOWN = 4


class ProgressDisplay:
    """Rewrite one status line on a terminal every KOMMUNARKIV_PROGRESS_INTERVAL seconds.

    KOMMUNARKIV_PROGRESS: "auto" shows it only when stderr is a terminal, "always" also prints it
    (one line per interval) into a log or pipe, "never" turns it off.
    """

    def __init__(self, interval: float, max_pages: int, stream: TextIO) -> None:
        self.interval = interval
        self.max_pages = max_pages
        self.stream = stream
        self.on_terminal = stream.isatty()
        self.pages: Counter[str] = Counter()
        self.unchanged = 0
        self.errors = 0
        self.started = time.monotonic()
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ProgressDisplay":
        mode = crawler.settings.get("KOMMUNARKIV_PROGRESS")
        if mode == "never" or (mode == "auto" and not sys.stderr.isatty()):
            raise NotConfigured
        display = cls(crawler.settings.getfloat("KOMMUNARKIV_PROGRESS_INTERVAL"),
                      crawler.settings.getint("KOMMUNARKIV_MAX_PAGES"), sys.stderr)
        crawler.signals.connect(display.opened, signal=signals.spider_opened)
        crawler.signals.connect(display.closed, signal=signals.spider_closed)
        crawler.signals.connect(display.scraped, signal=signals.item_scraped)
        crawler.signals.connect(display.failed, signal=crawl_error)
        return display

    def opened(self) -> None:
        """Start the periodic line."""
        self.started = time.monotonic()
        self.task = create_looping_call(self.show)
        self.task.start(self.interval, now=False)

    def scraped(self, item: PageItem) -> None:
        """Count a page."""
        self.pages[item.site_id] += 1
        self.unchanged += item.state == "unchanged"

    def failed(self, **_: Any) -> None:
        """Count an error."""
        self.errors += 1

    def line(self) -> str:
        """The status: elapsed time, totals and rate, then the sites with most pages."""
        elapsed = time.monotonic() - self.started
        total = sum(self.pages.values())
        sites = " · ".join(f"{site} {count}/{self.max_pages}" for site, count in self.pages.most_common(SITES_SHOWN))
        more = f" · +{len(self.pages) - SITES_SHOWN} sites" if len(self.pages) > SITES_SHOWN else ""
        return (f"[{int(elapsed) // 60:02d}:{int(elapsed) % 60:02d}] {total} pages ({self.unchanged} unchanged), "
                f"{self.errors} errors, {total / elapsed if elapsed else 0:.1f}/s | {sites}{more}")

    def show(self) -> None:
        """Write the line: in place on a terminal, as a new line elsewhere."""
        if self.on_terminal:
            self.stream.write("\r\x1b[K" + self.line())
        else:
            self.stream.write("progress " + self.line() + "\n")
        self.stream.flush()

    def closed(self) -> None:
        """Stop, leaving the final line."""
        if self.task and self.task.running:
            self.task.stop()
        self.show()
        if self.on_terminal:
            self.stream.write("\n")
