"""Run the site spider over a list of sites into an archive, from our own process."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings

from scraper.spiders.site import SiteSpider


def crawl_settings(db: Path, sites: list[dict[str, Any]], overrides: dict[str, Any] | None = None) -> Settings:
    """The project's Scrapy settings, pointed at an archive and a list of sites."""
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    settings.set("KOMMUNARKIV_DB", str(db), priority="cmdline")
    settings.set("KOMMUNARKIV_SITES", sites, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(sites: list[dict[str, Any]], db: Path, max_pages: int | None = None,
              overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Crawl the sites into the archive at `db`; return Scrapy's closing stats."""
    process = AsyncCrawlerProcess(crawl_settings(db, sites, overrides))
    crawler = process.create_crawler(SiteSpider)
    process.crawl(crawler, sites=sites, max_pages=max_pages)
    process.start()
    return crawler.stats.get_stats()
