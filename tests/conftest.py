"""Shared fixtures: sample sites on loopback, crawls into real archive files, the scorer's name matcher."""
from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from scraper.local_redis import stop_process

from scraper.demo import LOOPBACK_CRAWL_ENV, crawl_command, write_sites_csv
from scraper.sample_server import serve_sites

TESTS = Path(__file__).parent
REPO = TESTS.parent
SHARED = REPO.parent / "shared"
EXPECTED = json.loads((TESTS / "files" / "sample_sites_expected.json").read_text("utf-8"))
EXTRA_SITES = TESTS / "files" / "extra_sites"  # invented sites crawled beside the sample sites (see its README)
# Fixtures that run whole crawls, server subprocesses or a browser: a test using any of them (directly or
# through another fixture) is marked slow, and `make test-fast` (pytest -m "not slow") leaves it out.
SLOW_FIXTURES = {"sample_servers", "runs", "moved", "bad_crawl", "trap_crawl", "empty_crawl", "server", "public_server",
                 "browser"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that need a whole crawl, a server or a browser slow."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def run_crawl(sites_csv: Path, db: Path, *extra: str, timeout: int = 300,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `kommunarkiv crawl` in a child process (Scrapy's reactor runs once per process); `env` adds variables."""
    command = crawl_command(sites_csv, db) + list(extra)
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **LOOPBACK_CRAWL_ENV, **(env or {})}, cwd=REPO)


@pytest.fixture(scope="session")
def sample_servers():
    """All sample sites, each served on its own 127.0.0.1 port for the whole session."""
    with serve_sites() as servers:
        yield servers


@pytest.fixture(scope="session")
def extra_servers():
    """The extra test sites (tests/files/extra_sites), each on its own 127.0.0.1 port for the whole session."""
    with serve_sites(EXTRA_SITES) as servers:
        yield servers


def add_extra_sites(sites_csv: Path, servers: dict) -> Path:
    """Append the served extra sites, with their kommunkod and name, to a crawl's sites file."""
    import csv

    with (EXTRA_SITES / "sites.csv").open(encoding="utf-8", newline="") as handle, \
            sites_csv.open("a", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        for row in csv.DictReader(handle):
            writer.writerow([servers[row["slug"]].base_url + "/", row["kommunkod"], row["name"]])
    return sites_csv


@pytest.fixture(scope="session")
def crawled(sample_servers, extra_servers, tmp_path_factory):
    """The sample sites and the extra sites crawled twice into one archive: (db path, first run, second run,
    request counts)."""
    tmp = tmp_path_factory.mktemp("crawl")
    sites_csv = write_sites_csv(tmp / "sites.csv", {slug: s.base_url for slug, s in sample_servers.items()})
    add_extra_sites(sites_csv, extra_servers)
    db = tmp / "archive.db"
    first = run_crawl(sites_csv, db)
    assert first.returncode == 0, first.stderr[-3000:]
    counts_after_first = _row_counts(db)
    second = run_crawl(sites_csv, db)
    assert second.returncode == 0, second.stderr[-3000:]
    return {"db": db, "first": first, "second": second, "counts_after_first": counts_after_first}


def _row_counts(db: Path) -> dict[str, int]:
    """Rows per table in an archive."""
    import sqlite3

    conn = sqlite3.connect(db)
    tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table' and name not like '%_fts%'")]
    counts = {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in tables}
    conn.close()
    return counts


@pytest.fixture(scope="session")
def name_match():
    """The evaluation scorer's lenient organisation-name matcher (../shared/eval/score.py)."""
    spec = importlib.util.spec_from_file_location("score", SHARED / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.name_match


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    """Status and body of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


@contextmanager
def serve_archive(db: Path, log_path: Path, *extra: str):
    """A real `kommunarkiv serve` on the archive, on a free loopback port; yields its base URL."""
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen([str(Path(sys.executable).parent / "kommunarkiv"), "serve", "--db", str(db),
                                    "--host", "127.0.0.1", "--port", str(port), *extra],
                                   stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while not _answers(base + "/-/versions.json"):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("kommunarkiv serve did not start:\n" + log_path.read_text())
                time.sleep(0.2)
            yield base
        finally:
            stop_process(process)


def _answers(url: str) -> bool:
    """Whether a URL answers 200 yet."""
    try:
        return fetch(url)[0] == 200
    except OSError:
        return False


def inprocess_datasette(db: Path):
    """Datasette in-process on an archive, as `kommunarkiv serve` configures it (metadata, plugins, templates)."""
    from datasette.app import Datasette

    from scraper.metadata import build_metadata
    from scraper.publish import PLUGINS_DIR, TEMPLATES

    return Datasette([str(db)], metadata=build_metadata(db.stem), plugins_dir=str(PLUGINS_DIR),
                     template_dir=str(TEMPLATES))


def archive_facts(db: Path) -> dict[str, list[tuple]]:
    """An archive's pages, projects, roles and contacts, timestamps left out, for comparing two archives."""
    import sqlite3

    queries = {
        "pages": "select url, site_id, title, content_hash, is_project_page, removed_at is null from pages",
        "projects": "select id, title, summary, start_date, end_date, budget_sek, owner_id, page_url, site_id, "
                    "extractor_version, removed_at is null from projects",
        "roles": "select project_id, organisation_id, role, mention, evidence from project_organisations",
        "contacts": "select id, project_id, name, role, email, phone from contacts",
    }
    conn = sqlite3.connect(db)
    facts = {name: sorted(conn.execute(sql).fetchall(), key=repr) for name, sql in queries.items()}
    conn.close()
    return facts


@pytest.fixture
def redis_url():
    """A fresh Debian redis-server on 127.0.0.1 for one test (skipped with the reason when it is not installed)."""
    from scraper.local_redis import RedisUnavailable, local_redis

    try:
        with local_redis() as url:
            yield url
    except RedisUnavailable as error:
        pytest.skip(str(error))
