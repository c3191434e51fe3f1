"""Whole crawls of the simulated national web: one process against two workers and one writer on a real
redis-server (also with a worker killed midway), politeness counted by the server, and `crawl --all` with the
county boards as separate sites on their shared host."""
from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scraper.demo import LOOPBACK_CRAWL_ENV
from scraper.national_web import NationalWeb, proxy_env, serve_national_web, simulated_sites
from scraper.sites import registry_organisations, sites_for_organisations

REPO = Path(__file__).parent.parent
PER_SITE = 2  # the per-site concurrency limit, across all workers
PAGES = (6, 12)  # pages per site: enough queued per site for the limit to bind, few enough to keep the crawls short
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]  # whole crawls in subprocesses


def _env(proxy: str) -> dict[str, str]:
    # A small delay: with DOWNLOAD_DELAY 0, Scrapy 2.19 sends all of a slot's queued requests at once. Leases lapse
    # after 10 s (not 40: a killed worker's hosts wait that long; responses here take < 0.1 s). One extraction
    # process: a few hundred small pages extract faster in the crawl's process than in spawned ones loading spaCy.
    return {**os.environ, **LOOPBACK_CRAWL_ENV, **proxy_env(proxy), "KOMMUNARKIV_DOWNLOAD_DELAY": "0.01",
            "KOMMUNARKIV_CONCURRENT_PER_SITE": str(PER_SITE), "KOMMUNARKIV_WORKER_TTL": "3",
            "KOMMUNARKIV_LEASE_SECONDS": "10", "KOMMUNARKIV_EXTRACT_WORKERS": "1", "KOMMUNARKIV_LOG_LEVEL": "WARNING"}


def _kommunarkiv(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "scraper", *args], env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=log.open("w"))


def _pages(db: Path) -> set[tuple[str, str, str]]:
    conn = sqlite3.connect(db)
    rows = set(conn.execute("select url, site_id, content_hash from pages"))
    conn.close()
    return rows


@pytest.fixture(scope="module")
def twenty_sites(tmp_path_factory):
    """The registry's first 20 sites on the simulated web (PAGES pages each, no calendar traps), a sites file, and
    the archive one process crawls from them (the baseline both distributed tests compare with)."""
    sites = sites_for_organisations(registry_organisations())[:20]
    web = NationalWeb(simulated_sites(sites, pages=PAGES, latency=(0.005, 0.02)), traps=False)
    tmp = tmp_path_factory.mktemp("national")
    sites_csv = tmp / "sites.csv"
    with sites_csv.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["url"])
        writer.writerows([site["base_url"]] for site in sites)
    with serve_national_web(web) as proxy:
        single = tmp / "single.db"
        result = subprocess.run([sys.executable, "-m", "scraper", "crawl", "--sites", str(sites_csv), "--db",
                                 str(single)], env=_env(proxy), cwd=REPO, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, result.stderr[-3000:]
        yield {"web": web, "proxy": proxy, "csv": sites_csv, "tmp": tmp, "single": _pages(single)}


def _distributed(site, redis_url: str, name: str, kill_after_pages: int | None = None) -> tuple[Path, list[int]]:
    """Two workers and one writer; optionally kill -9 a worker once the writer stored that many pages."""
    tmp, env = site["tmp"], _env(site["proxy"])
    db = tmp / f"{name}.db"
    site["web"].peak.clear()
    writer = _kommunarkiv("store", "--redis", redis_url, "--db", str(db), env=env, log=tmp / f"{name}-writer.log")
    workers = [_kommunarkiv("crawl", "--sites", str(site["csv"]), "--redis", redis_url, env=env,
                            log=tmp / f"{name}-worker{n}.log") for n in range(2)]
    try:
        if kill_after_pages:
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline and writer.poll() is None:
                try:
                    if db.exists() and len(_pages(db)) >= kill_after_pages:
                        break
                except sqlite3.OperationalError:  # the writer is still creating the archive's tables
                    pass
                time.sleep(0.2)
            os.kill(workers[0].pid, signal.SIGKILL)
        codes = [worker.wait(timeout=900) for worker in workers] + [writer.wait(timeout=300)]
    finally:
        for process in [*workers, writer]:
            if process.poll() is None:
                process.kill()
    return db, codes


def test_two_workers_and_one_writer_build_the_single_process_archive_politely(twenty_sites, redis_url):
    db, codes = _distributed(twenty_sites, redis_url, "distributed")
    assert codes == [0, 0, 0], (twenty_sites["tmp"] / "distributed-writer.log").read_text()[-3000:]
    single = twenty_sites["single"]
    assert len(single) > 20 * (PAGES[0] - 2)
    assert _pages(db) == single
    peaks = twenty_sites["web"].peak
    assert len(peaks) == 20 and max(peaks.values()) <= PER_SITE, peaks


def test_a_worker_killed_midway_loses_nothing(twenty_sites, redis_url):
    single = twenty_sites["single"]
    db, codes = _distributed(twenty_sites, redis_url, "killed", kill_after_pages=len(single) // 3)
    assert codes[0] == -signal.SIGKILL and codes[1:] == [0, 0], codes
    assert "stopped answering" in (twenty_sites["tmp"] / "killed-worker1.log").read_text()
    assert _pages(db) == single
    assert max(twenty_sites["web"].peak.values()) <= PER_SITE


def test_crawl_all_takes_each_county_board_as_its_own_site(tmp_path):
    """`crawl --all` on the simulated web (every site tiny): lansstyrelsen.se/<county>/ are 21 sites on one host."""
    sites = sites_for_organisations(registry_organisations())
    web = NationalWeb(simulated_sites(sites, pages=(1, 1), latency=(0.001, 0.003)), traps=False)
    db = tmp_path / "all.db"
    with serve_national_web(web) as proxy:
        env = {**_env(proxy), "KOMMUNARKIV_CONCURRENT_REQUESTS": "32"}
        result = subprocess.run([sys.executable, "-m", "scraper", "crawl", "--all", "--max-pages", "1", "--db",
                                 str(db)], env=env, cwd=REPO, capture_output=True, text=True, timeout=1500)
    assert result.returncode in (0, 3), result.stderr[-3000:]  # 3: the simulated web's failing sites look broken
    conn = sqlite3.connect(db)
    boards = dict(conn.execute("select id, base_url from sites where kind = 'county_board'"))
    assert len(boards) == 21 and boards["lansstyrelse/25"] == "https://lansstyrelsen.se/norrbotten/"
    assert conn.execute("select count(*) from sites").fetchone()[0] == 331
    pages = list(conn.execute("select url, site_id from pages where url like 'https://lansstyrelsen.se/%'"))
    by_site = {site_id for _, site_id in pages}
    assert {"lansstyrelse/25", "lansstyrelse/12"} <= by_site and len(by_site) >= 15
    for url, site_id in pages:  # each page stored under the board whose path it is on, never another's
        assert url.startswith(boards[site_id]), (url, site_id)
