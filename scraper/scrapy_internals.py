"""The private Scrapy internals kommunarkiv reaches into, kept here and nowhere else, with a version check.

- `RobotsTxtMiddleware._parsers`: netloc -> parsed robots.txt, or the Deferred still fetching it, or None.
  Read by `cached_robot_parser` for requests that waited together on one robots.txt download.
- `RobotsTxtMiddleware._parsers`, `_parserimpl`, `_robotstxt_useragent`, `_default_useragent`, `_stats`:
  used by scraper.middlewares.RobotsMiddleware, which replaces `robot_parser` to read robots.txt by RFC 9309.
- `Downloader.per_slot_settings` (DOWNLOAD_SLOTS, read when a slot is made) and `Slot.delay` / `Slot.jitter`:
  set by `set_slot_delay` for a host's Crawl-delay.
- `Downloader._latercall(slot)` and `Slot.latercall`: the downloader's own delay timer. While a slot's
  `latercall` is set, `Downloader._process_queue` sends nothing from that slot; `hold_slot` sets it.

Checked against Scrapy TESTED (oldest and newest minor version); tests/test_scrapy_internals.py fails
when an installed Scrapy lacks an internal or is newer than TESTED, so an upgrade is checked, not assumed.
"""
from __future__ import annotations

import logging

import scrapy
from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.robotstxt import RobotParser
from scrapy.utils.asyncio import call_later
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

TESTED = ((2, 14), (2, 19))  # (major, minor) of the oldest and newest Scrapy these internals were checked on


class ScrapyInternalsChanged(RuntimeError):
    """The installed Scrapy no longer has an internal this module relies on."""


def scrapy_version() -> tuple[int, int]:
    """(major, minor) of the installed Scrapy."""
    major, minor = scrapy.__version__.split(".")[:2]
    return int(major), int(minor)


def check_scrapy() -> None:
    """Raise ScrapyInternalsChanged (one-line message) when an internal is gone; log a warning when the
    installed Scrapy is outside TESTED."""
    missing = [name for name, present in (
        ("Downloader._latercall", callable(getattr(Downloader, "_latercall", None))),
        ("Slot.latercall", "latercall" in getattr(Slot, "__dataclass_fields__", {})),
    ) if not present]
    if missing:
        raise ScrapyInternalsChanged(f"Scrapy {scrapy.__version__} lacks {', '.join(missing)}: "
                                     "see scraper/scrapy_internals.py")
    if not TESTED[0] <= scrapy_version() <= TESTED[1]:
        logger.warning("Scrapy %s is outside the versions kommunarkiv's Scrapy internals were checked on "
                       "(%d.%d to %d.%d)", scrapy.__version__, *TESTED[0], *TESTED[1])


def cached_robot_parser(middleware: RobotsTxtMiddleware, netloc: str) -> RobotParser | None:
    """The host's robots.txt parser once its download finished; None while it downloads or when it has none."""
    parsers = getattr(middleware, "_parsers", None)
    if not isinstance(parsers, dict):
        raise ScrapyInternalsChanged(f"Scrapy {scrapy.__version__}'s RobotsTxtMiddleware has no _parsers dict")
    parser = parsers.get(netloc)
    return None if isinstance(parser, Deferred) else parser


def set_slot_delay(downloader: Downloader, request: Request, seconds: float) -> None:
    """Space the requests of the request's download slot `seconds` apart, without jitter, also when the slot is
    garbage-collected and made again."""
    key = downloader.get_slot_key(request)
    downloader.per_slot_settings[key] = {**downloader.per_slot_settings.get(key, {}), "delay": seconds, "jitter": 0}
    slot = downloader.slots.get(key)
    if slot is not None:
        slot.delay, slot.jitter = seconds, 0


def hold_slot(downloader: Downloader, request: Request, seconds: float) -> bool:
    """Send nothing from the request's download slot for `seconds`; False when the slot no longer exists."""
    slot = downloader.slots.get(downloader.get_slot_key(request))
    if slot is None:
        return False
    if slot.latercall:
        slot.latercall.cancel()
    slot.latercall = call_later(seconds, downloader._latercall, slot)
    return True
