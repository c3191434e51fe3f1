"""A crawl stopped part-way (kill -9 or Ctrl-C) resumes with --resume and ends with the archive an uninterrupted crawl makes."""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO, archive_facts, run_crawl
from scraper.demo import LOOPBACK_CRAWL_ENV, crawl_command, write_sites_csv

SLOW = {**LOOPBACK_CRAWL_ENV, "KOMMUNARKIV_DOWNLOAD_DELAY": "0.4", "KOMMUNARKIV_CONCURRENT_PER_SITE": "1"}


def stored_pages(db: Path) -> int:
    """Pages committed to the archive so far (0 before it exists)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return conn.execute("select count(*) from pages").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def assert_same_archive(db: Path, expected: Path) -> None:
    """Pages, projects, roles and contacts equal, timestamps aside; the differences shown if not."""
    found, wanted = archive_facts(db), archive_facts(expected)
    for table in wanted:
        missing, extra = set(wanted[table]) - set(found[table]), set(found[table]) - set(wanted[table])
        assert not missing and not extra, (table, "missing:", missing, "extra:", extra)


def crawl_until(sites_csv: Path, db: Path, pages: int, stop: signal.Signals) -> subprocess.Popen:
    """Start a slow crawl and send it `stop` once `pages` pages are stored; return the stopped process."""
    process = subprocess.Popen(crawl_command(sites_csv, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, **SLOW}, cwd=REPO)
    deadline = time.monotonic() + 120
    while stored_pages(db) < pages:
        assert process.poll() is None, "the crawl ended before it could be interrupted"
        assert time.monotonic() < deadline, "the crawl stored too few pages"
        time.sleep(0.05)
    process.send_signal(stop)
    process.output = process.communicate(timeout=120)  # (stdout, stderr)
    return process


@pytest.fixture(scope="module")
def sites_csv(sample_servers, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("resume")
    return write_sites_csv(tmp / "sites.csv", {slug: s.base_url for slug, s in sample_servers.items()})


@pytest.fixture(scope="module")
def uninterrupted(sites_csv, tmp_path_factory):
    db = tmp_path_factory.mktemp("whole") / "archive.db"
    result = run_crawl(sites_csv, db)
    assert result.returncode == 0, result.stderr[-3000:]
    return db


def test_a_crawl_killed_mid_way_resumes_to_the_same_archive(sites_csv, uninterrupted, tmp_path):
    db = tmp_path / "archive.db"
    killed = crawl_until(sites_csv, db, pages=8, stop=signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    total = len(archive_facts(uninterrupted)["pages"])
    assert 8 <= stored_pages(db) < total  # genuinely mid-crawl
    conn = sqlite3.connect(db)
    assert conn.execute("select status from crawl_runs").fetchall() == [("running",)]
    assert conn.execute("select count(*) from crawl_frontier where outcome is null").fetchone()[0] > 0
    conn.close()

    resumed = run_crawl(sites_csv, db, "--resume")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "Resuming" in resumed.stderr
    assert_same_archive(db, uninterrupted)
    conn = sqlite3.connect(db)
    assert conn.execute("select id, status, resumed from crawl_runs").fetchall() == [(1, "finished", 1)]
    assert conn.execute("select count(*) from page_versions").fetchone()[0] == total  # nothing stored twice
    assert not conn.execute("select url from crawl_errors group by url having count(*) > 1").fetchall()
    assert conn.execute("select count(*) from crawl_frontier").fetchone()[0] == 0
    conn.close()


def test_ctrl_c_stops_cleanly_with_status_130_and_resumes(sites_csv, uninterrupted, tmp_path):
    db = tmp_path / "archive.db"
    stopped = crawl_until(sites_csv, db, pages=5, stop=signal.SIGINT)
    assert stopped.returncode == 130
    assert re.search(r"Crawl run 1 interrupted: [1-9]\d* pages answered", stopped.output[1]), stopped.output[1]
    assert f"kommunarkiv crawl --resume --db {db}" in stopped.output[1]
    conn = sqlite3.connect(db)
    assert conn.execute("select status from crawl_runs").fetchall() == [("interrupted",)]
    conn.close()
    resumed = run_crawl(sites_csv, db, "--resume")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert_same_archive(db, uninterrupted)


def test_resume_without_an_interrupted_crawl_is_a_clear_error(uninterrupted, sites_csv):
    result = run_crawl(sites_csv, uninterrupted, "--resume")
    assert result.returncode == 1
    assert "no interrupted crawl to resume" in result.stderr
