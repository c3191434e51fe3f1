"""Discovery within a budget: canonical URLs, crawler traps capped, Retry-After obeyed, progress shown."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import REPO
from scraper.demo import LOOPBACK_CRAWL_ENV, crawl_command
from scraper.frontier import SiteFrontier, canonical_url, path_pattern
from scraper.middlewares import retry_after_seconds
from scraper.sample_server import serve_sites

PAGE = ("<!DOCTYPE html><html lang='sv'><head><meta charset='utf-8'><title>{title}</title></head>"
        "<body><main><h1>{title}</h1><p>Text om {title}.</p>{links}</main></body></html>")
CAPS = {"KOMMUNARKIV_MAX_QUERY_VARIANTS": "5", "KOMMUNARKIV_MAX_PER_PATTERN": "8",
        "KOMMUNARKIV_PROGRESS_INTERVAL": "0.2"}


def links(hrefs) -> str:
    return "".join(f'<p><a href="{href}">{href}</a></p>' for href in hrefs)


def write_trap_site(root: Path) -> None:
    """A site with an endless calendar, a search page linking to itself, an archive by year, tracking links and a 429."""
    site = root / "trapby"
    (site / "arkiv").mkdir(parents=True)
    calendar = [f"/kalender?datum=2024-05-{day:02d}" for day in range(1, 31)]
    search = [f"/sok?q=projekt&sida={n}&sortering={s}" for n in range(1, 6) for s in ("datum", "titel", "relevans")]
    archive = [f"/arkiv/{year}.html" for year in range(2001, 2021)]
    tracked = ["/om.html?utm_source=nyhetsbrev&utm_medium=epost", "/om.html;jsessionid=ABC123",
               "/om.html?fbclid=xyz", "/om.html?PHPSESSID=42", "/om.html#kontakt"]
    (site / "index.html").write_text(PAGE.format(title="Trapby", links=links(
        ["/kalender?datum=2024-05-01", "/sok?q=projekt", "/om.html", "/trott", *archive, *tracked])), "utf-8")
    (site / "kalender.html").write_text(PAGE.format(title="Kalender", links=links(calendar)), "utf-8")
    (site / "sok.html").write_text(PAGE.format(title="Sök", links=links(search)), "utf-8")
    (site / "om.html").write_text(PAGE.format(title="Om Trapby", links=""), "utf-8")
    for href in archive:
        (site / href.lstrip("/")).write_text(PAGE.format(title=f"Arkiv {href[7:11]}", links=links(archive)), "utf-8")
    (site / "_server.json").write_text(json.dumps({"/trott": {"status": 429, "headers": {"Retry-After": "1"}}}))


@pytest.fixture(scope="module")
def trap_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("traps")
    write_trap_site(tmp / "sites")
    with serve_sites(tmp / "sites") as servers:
        server = servers["trapby"]
        sites_csv = tmp / "sites.csv"
        sites_csv.write_text(f"url,name\n{server.base_url}/,Trapby kommun\n", "utf-8")
        result = subprocess.run(crawl_command(sites_csv, tmp / "archive.db") + ["--progress"], capture_output=True,
                                text=True, timeout=300, env={**os.environ, **LOOPBACK_CRAWL_ENV, **CAPS}, cwd=REPO)
    assert result.returncode == 0, result.stderr[-3000:]
    return {"result": result, "requests": list(server.requests)}


def requested(trap_crawl, path: str) -> list[str]:
    return [r.path for r in trap_crawl["requests"] if urlsplit(r.path).path == path]


def test_canonical_url_drops_session_ids_tracking_and_fragments_and_sorts_the_query():
    assert canonical_url("https://x.se/a;jsessionid=ABC?utm_source=n&b=2&a=1&fbclid=z#top") == "https://x.se/a?a=1&b=2"
    assert canonical_url("https://x.se/a?PHPSESSID=1&sid=2&sida=3") == "https://x.se/a?sida=3"
    assert path_pattern("https://x.se/kalender/2024/05/12?datum=1&vy=v") == "/kalender/0/0/0?datum&vy"


def test_site_frontier_caps_query_variants_patterns_and_budget():
    frontier = SiteFrontier("1", max_pages=100, max_query_variants=3, max_per_pattern=4)
    admitted = [frontier.admit(f"https://x.se/kalender?datum={d}") for d in range(10)]
    assert sum(url is not None for url in admitted) == 3
    assert sum(frontier.admit(f"https://x.se/arkiv/{year}") is not None for year in range(2000, 2010)) == 4
    assert frontier.admit("https://x.se/om") == "https://x.se/om" and frontier.admit("https://x.se/om#a") is None
    small = SiteFrontier("2", max_pages=2, max_query_variants=9, max_per_pattern=9)
    assert [small.admit(f"https://x.se/{p}") is not None for p in "abc"] == [True, True, False]


def test_an_endless_calendar_stays_within_the_query_variant_cap(trap_crawl):
    assert 1 <= len(requested(trap_crawl, "/kalender")) <= 5


def test_a_search_page_linking_to_itself_stays_within_the_cap(trap_crawl):
    assert 1 <= len(requested(trap_crawl, "/sok")) <= 5


def test_urls_of_one_pattern_stay_within_the_pattern_cap(trap_crawl):
    archive = [r.path for r in trap_crawl["requests"] if r.path.startswith("/arkiv/")]
    assert len(archive) == 8
    assert "crawler trap" in trap_crawl["result"].stderr


def test_tracking_and_session_variants_of_a_page_are_fetched_once(trap_crawl):
    assert requested(trap_crawl, "/om.html") == ["/om.html"]
    assert not [r.path for r in trap_crawl["requests"] if "jsessionid" in r.path.lower()]


def test_retry_after_pauses_the_site_before_each_retry(trap_crawl):
    attempts = [r for r in trap_crawl["requests"] if r.path == "/trott"]
    assert [r.status for r in attempts] == [429, 429, 429]  # the first try and RETRY_TIMES = 2 retries
    assert all(later.at - earlier.at >= 0.9 for earlier, later in zip(attempts, attempts[1:]))
    assert "Retry-After: pausing its site" in trap_crawl["result"].stderr


def test_retry_after_accepts_seconds_and_http_dates():
    from datetime import datetime, timezone

    now = datetime(2024, 5, 2, 8, 0, tzinfo=timezone.utc)
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds("Thu, 02 May 2024 08:01:30 GMT", now) == 90
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_progress_line_is_printed_when_asked(trap_crawl):
    lines = [line for line in trap_crawl["result"].stderr.splitlines() if line.startswith("progress [")]
    assert lines and "pages" in lines[-1] and "errors" in lines[-1]
