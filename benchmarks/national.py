"""A national crawl, measured on the simulated web (scraper/national_web.py) with a real redis-server.

For a stated sample of the registry's sites (default: every 28th of the 331, 12 sites, 30-100 pages each,
50-500 ms per response as generated), crawl with 1, 2 and 4 workers (`kommunarkiv crawl --redis`) and one
writer (`kommunarkiv store --redis`), and print per run: pages, wall seconds, pages/s, worker CPU seconds
per page, peak memory (maximum resident set) per process, and the wall time the politeness limits alone
impose (the slowest site's requests x response time / per-site concurrency); "steady" pages/s leaves out
start-up (first to last page stored). Then the writer alone on a
stored backlog: its pages/s and CPU per page. CPU seconds are printed beside wall seconds: on a shared
machine, wall time says less than CPU time.
Run: .venv/bin/python benchmarks/national.py [--every 28] [--pages 30,100] [--workers 1,2,4]
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from redis import Redis

from scraper.demo import LOOPBACK_CRAWL_ENV
from scraper.local_redis import local_redis
from scraper.national_web import NationalWeb, proxy_env, serve_national_web, simulated_sites
from scraper.sites import registry_organisations, sites_for_organisations

REPO = Path(__file__).resolve().parents[1]
PER_SITE = 2


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "scraper", *args], env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=log.open("w"))


def reap(process: subprocess.Popen) -> dict[str, float]:
    """Wait for a child; its wall-clock end, CPU seconds and peak resident memory (MB), from wait4's rusage."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return {"end": time.monotonic(), "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
            "code": process.returncode}


def pages_in(db: Path) -> tuple[int, int, float]:
    """(pages, project pages, seconds from the first page stored to the last: the crawl without start-up)."""
    conn = sqlite3.connect(db)
    pages, project_pages, span = conn.execute(
        "select count(*), coalesce(sum(is_project_page), 0), (julianday(max(fetched_at)) - "
        "julianday(min(fetched_at))) * 86400 from pages").fetchone()
    conn.close()
    return pages, project_pages, span or 0.0


def crawl(workers: int, sites_csv: Path, env: dict[str, str], tmp: Path) -> dict[str, object]:
    """One distributed crawl of the sample: `workers` workers and one writer."""
    db = tmp / f"w{workers}.db"
    with local_redis() as url:
        began = time.monotonic()
        writer = start(["store", "--redis", url, "--db", str(db)], env, tmp / f"w{workers}-writer.log")
        crawlers = [start(["crawl", "--sites", str(sites_csv), "--redis", url], env, tmp / f"w{workers}-{n}.log")
                    for n in range(workers)]
        worker_stats = [reap(process) for process in crawlers]
        writer_stats = reap(writer)
    wall = max(s["end"] for s in worker_stats + [writer_stats]) - began
    pages, project_pages, span = pages_in(db)
    cpu = sum(s["cpu"] for s in worker_stats)
    return {"workers": workers, "pages": pages, "project_pages": project_pages, "wall": wall,
            "pages_per_s": pages / wall, "steady_pages_per_s": pages / span if span else float("nan"),
            "worker_cpu_per_page": cpu / max(pages, 1), "worker_cpu": cpu,
            "worker_rss_mb": max(s["rss_mb"] for s in worker_stats), "writer_rss_mb": writer_stats["rss_mb"],
            "writer_cpu": writer_stats["cpu"], "codes": [s["code"] for s in worker_stats + [writer_stats]]}


def writer_alone(sites_csv: Path, env: dict[str, str], tmp: Path) -> dict[str, float]:
    """One worker fills Redis with no writer running; then the writer stores the whole backlog alone."""
    db = tmp / "backlog.db"
    with local_redis() as url:
        worker = start(["crawl", "--sites", str(sites_csv), "--redis", url], env, tmp / "backlog-worker.log")
        reap(worker)
        backlog = Redis.from_url(url).llen("kommunarkiv:pages")
        began = time.monotonic()
        writer = start(["store", "--redis", url, "--db", str(db)], {**env, "KOMMUNARKIV_LOG_LEVEL": "INFO"},
                       tmp / "backlog-writer.log")
        stats = reap(writer)
    log = (tmp / "backlog-writer.log").read_text()
    match = re.search(r"Writer stored (\d+) pages in ([\d.]+) s of transactions", log)
    stored, in_transactions = (int(match.group(1)), float(match.group(2))) if match else (0, float("nan"))
    return {"messages": backlog, "pages": stored, "wall": stats["end"] - began, "cpu": stats["cpu"],
            "rss_mb": stats["rss_mb"], "transaction_s": in_transactions,
            "pages_per_s": stored / in_transactions if in_transactions else float("nan"),
            "bytes_per_page": (db.stat().st_size / stored) if stored else float("nan")}


def politeness_floor(web: NationalWeb) -> tuple[float, str]:
    """The slowest site's lower bound on wall time: its requests x mean response time / per-site concurrency."""
    floors = {host: web.requests[host] * sum(s.latency for s in sites) / len(sites) / PER_SITE
              for host, sites in web.by_host.items() if web.requests[host]}
    host = max(floors, key=floors.get)
    return floors[host], host


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--every", type=int, default=28, help="take every n-th registry site [28: 12 sites]")
    parser.add_argument("--pages", default="30,100", help="site sizes, min,max [30,100]")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to run [1,2,4]")
    args = parser.parse_args()
    low, high = (int(n) for n in args.pages.split(","))
    sites = sites_for_organisations(registry_organisations())[::args.every]
    web = NationalWeb(simulated_sites(sites, pages=(low, high)), traps=True)
    print(f"Sample: {len(sites)} of 331 sites (every {args.every}th), {sum(s.pages for s in web.sites)} pages "
          f"generated ({low}-{high} each), response times {min(s.latency for s in web.sites):.2f}-"
          f"{max(s.latency for s in web.sites):.2f} s, {sum(s.failing for s in web.sites)} failing, "
          f"{sum(bool(s.moved_to) for s in web.sites)} moved; {PER_SITE} requests in flight per site; "
          f"{os.cpu_count()} CPUs (shared).")
    with tempfile.TemporaryDirectory(prefix="kommunarkiv-national-") as tmp_name, serve_national_web(web) as proxy:
        tmp = Path(tmp_name)
        sites_csv = tmp / "sites.csv"
        with sites_csv.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["url"])
            writer.writerows([site["base_url"]] for site in sites)
        env = {**os.environ, **LOOPBACK_CRAWL_ENV, **proxy_env(proxy), "KOMMUNARKIV_DOWNLOAD_DELAY": "0.01",
               "KOMMUNARKIV_CONCURRENT_PER_SITE": str(PER_SITE), "KOMMUNARKIV_LOG_LEVEL": "WARNING",
               "KOMMUNARKIV_WORKER_TTL": "5"}
        print(f"{'workers':>7} {'pages':>6} {'wall s':>7} {'pages/s':>8} {'steady/s':>8} {'CPU s/page':>10} {'worker MB':>9} "
              f"{'writer MB':>9} {'writer CPU s':>12} {'polite floor s':>14} {'peak/site':>9}")
        for workers in (int(n) for n in args.workers.split(",")):
            web.requests.clear()
            web.peak.clear()
            run = crawl(workers, sites_csv, env, tmp)
            floor, host = politeness_floor(web)
            print(f"{workers:>7} {run['pages']:>6} {run['wall']:>7.1f} {run['pages_per_s']:>8.2f} "
                  f"{run['steady_pages_per_s']:>8.2f} "
                  f"{run['worker_cpu_per_page']:>10.3f} {run['worker_rss_mb']:>9.0f} {run['writer_rss_mb']:>9.0f} "
                  f"{run['writer_cpu']:>12.1f} {floor:>14.1f} {max(web.peak.values()):>9}"
                  + ("" if set(run["codes"][:-1]) == {0} else f"  exit codes {run['codes']}"), flush=True)
        alone = writer_alone(sites_csv, env, tmp)
        print(f"Writer alone on a backlog of {alone['messages']} messages: {alone['pages']} pages in "
              f"{alone['transaction_s']:.2f} s of transactions = {alone['pages_per_s']:.0f} pages/s "
              f"({alone['wall']:.1f} s wall with start-up, {alone['cpu']:.1f} s CPU, {alone['rss_mb']:.0f} MB peak); "
              f"archive {alone['bytes_per_page'] / 1024:.1f} kB per page.")


if __name__ == "__main__":
    main()
