"""The private Scrapy internals scraper/scrapy_internals.py relies on: fails loudly when Scrapy changes them."""
from __future__ import annotations

import inspect
from types import SimpleNamespace

import scrapy
from scrapy.core.downloader import Downloader, Slot
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred

from scraper.scrapy_internals import TESTED, cached_robot_parser, check_scrapy, scrapy_version, set_slot_delay


def test_installed_scrapy_is_a_checked_version() -> None:
    assert TESTED[0] <= scrapy_version() <= TESTED[1], (
        f"Scrapy {scrapy.__version__} is untested: check scraper/scrapy_internals.py against it, then widen TESTED")
    check_scrapy()


def test_robots_middleware_keeps_parsers_by_netloc() -> None:
    middleware = RobotsTxtMiddleware(get_crawler(settings_dict={"ROBOTSTXT_OBEY": True}))
    assert middleware._parsers == {}
    parser = ProtegoRobotParser.from_crawler(middleware.crawler, b"User-agent: *\nDisallow: /intranat/")
    middleware._parsers["kommun.example:8080"] = parser
    middleware._parsers["slow.example"] = Deferred()
    assert cached_robot_parser(middleware, "kommun.example:8080") is parser
    assert cached_robot_parser(middleware, "slow.example") is None
    assert cached_robot_parser(middleware, "unknown.example") is None
    assert "self._parsers[netloc]" in inspect.getsource(RobotsTxtMiddleware.robot_parser)


def test_downloader_pauses_a_slot_while_its_latercall_is_set() -> None:
    assert "latercall" in Slot.__dataclass_fields__
    assert list(inspect.signature(Downloader._latercall).parameters) == ["self", "slot"]
    assert "if slot.latercall:" in inspect.getsource(Downloader._process_queue)
    assert "self.slots" in inspect.getsource(Downloader.__init__)


def test_a_slot_delay_holds_for_the_slot_and_for_one_made_later() -> None:
    assert {"delay", "jitter"} <= set(Slot.__dataclass_fields__)
    assert "self.per_slot_settings.get(key" in inspect.getsource(Downloader._get_slot)
    slot = Slot(2, 0.5, 0.5)
    downloader = SimpleNamespace(per_slot_settings={}, slots={"kommun.example": slot},
                                 get_slot_key=lambda request: urlparse_cached(request).hostname)
    set_slot_delay(downloader, scrapy.Request("http://kommun.example/a"), 2.0)
    assert (slot.delay, slot.jitter) == (2.0, 0)
    assert downloader.per_slot_settings["kommun.example"] == {"delay": 2.0, "jitter": 0}  # for a slot made later
