"""One crawl per archive (a cron overlap), and a crawl that cannot write a page fails loudly instead of
reporting "0 errors"."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import time

import pytest

from conftest import REPO, run_crawl
from scraper.demo import LOOPBACK_CRAWL_ENV, crawl_command, write_sites_csv
from test_resume import assert_same_archive, stored_pages

pytestmark = pytest.mark.slow

PACED = {**LOOPBACK_CRAWL_ENV, "KOMMUNARKIV_DOWNLOAD_DELAY": "0.1"}


@pytest.fixture(scope="module")
def sites_csv(sample_servers, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lock")
    return write_sites_csv(tmp / "sites.csv", {slug: s.base_url for slug, s in sample_servers.items()})


def start_crawl(sites_csv, db) -> subprocess.Popen:
    return subprocess.Popen(crawl_command(sites_csv, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **PACED}, cwd=REPO)


def test_a_second_crawl_2_s_later_exits_4_and_the_archive_equals_a_single_crawls(sites_csv, tmp_path):
    single = tmp_path / "single.db"
    assert run_crawl(sites_csv, single).returncode == 0
    db = tmp_path / "archive.db"
    first = start_crawl(sites_csv, db)
    time.sleep(2)
    second = run_crawl(sites_csv, db)
    _, first_log = first.communicate(timeout=300)
    assert first.returncode == 0, first_log[-2000:]
    assert second.returncode == 4, second.stderr[-2000:]
    assert second.stderr.strip().count("\n") == 0 and "another crawl (pid" in second.stderr, second.stderr
    assert_same_archive(db, single)
    conn = sqlite3.connect(db)
    assert conn.execute("select count(*), min(status) from crawl_runs").fetchone() == (1, "finished")
    conn.close()


def test_pages_that_cannot_be_written_are_recorded_and_fail_the_crawl(sites_csv, tmp_path):
    db = tmp_path / "archive.db"
    crawl = start_crawl(sites_csv, db)
    deadline = time.monotonic() + 120
    while stored_pages(db) < 3:
        assert crawl.poll() is None and time.monotonic() < deadline, "the crawl ended before the archive got busy"
        time.sleep(0.05)
    blocker = sqlite3.connect(db, timeout=30)
    blocker.execute("begin immediate")  # another writer holds the archive longer than the crawl's busy timeout
    time.sleep(8)
    blocker.rollback()
    blocker.close()
    _, log = crawl.communicate(timeout=300)
    assert crawl.returncode == 5, log[-3000:]
    assert "could not be written to the archive" in log and "Traceback" not in log
    conn = sqlite3.connect(db)
    unstored = conn.execute("select count(*) from crawl_errors where kind = 'store'").fetchone()[0]
    errors = conn.execute("select errors from crawl_runs").fetchone()[0]
    conn.close()
    assert unstored >= 1 and errors >= unstored
