"""A served archive against cheap attacks and operators' accidents: 404 storms, SQL that allocates, arbitrary
SQL on the public edition, full-text index leftovers, read-only archives and files that are no archive."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import _answers, fetch, free_port, serve_archive
from pipelines.store import open_archive, shape_is_current
from scraper.public import public_copy
from test_personal_data import CONTACT, build

KOMMUNARKIV = str(Path(sys.executable).parent / "kommunarkiv")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sql_url(base: str, sql: str) -> str:
    return f"{base}/archive.json?" + urllib.parse.urlencode({"sql": sql})


@pytest.fixture(scope="module")
def archive(tmp_path_factory, suppressions_off):
    return build(tmp_path_factory.mktemp("served") / "archive.db")


@pytest.fixture(scope="module")
def suppressions_off(tmp_path_factory):
    """An empty suppression list for the module (the served archive has nothing to suppress)."""
    path = tmp_path_factory.mktemp("suppressions") / "suppressions.csv"
    path.write_text("email_or_name\n", "utf-8")
    old = os.environ.get("KOMMUNARKIV_SUPPRESSIONS")
    os.environ["KOMMUNARKIV_SUPPRESSIONS"] = str(path)
    yield path
    if old is None:
        os.environ.pop("KOMMUNARKIV_SUPPRESSIONS")
    else:
        os.environ["KOMMUNARKIV_SUPPRESSIONS"] = old


@pytest.fixture(scope="module")
def served(archive, tmp_path_factory):
    log = tmp_path_factory.mktemp("log") / "serve.log"
    with serve_archive(archive, log) as base:
        yield base, log


@pytest.fixture(scope="module")
def served_public(archive, tmp_path_factory):
    log = tmp_path_factory.mktemp("log") / "serve-public.log"
    with serve_archive(archive, log, "--public") as base:
        yield base, log


@pytest.mark.slow
def test_a_404_storm_leaves_one_line_each_and_the_server_answering(served):
    base, log = served
    urls = [f"{base}/no_such_database_{n}/pages" for n in range(1000)]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda url: fetch(url)[0], urls))
    assert statuses == [404] * 1000
    assert fetch(base + "/-/versions.json")[0] == 200
    text = log.read_text()
    assert "Traceback" not in text and "locals" not in text
    assert len(text.splitlines()) <= 1000 + 50  # at most the access-log line per request, plus start-up


@pytest.mark.slow
@pytest.mark.parametrize("sql", ["select length(randomblob(1000000000))", "select length(zeroblob(10000000000))",
                                 "select length(replace(hex(zeroblob(5000000)), '0', 'xx'))"])
def test_sql_cannot_allocate_big_values(served, sql):
    base, _ = served
    status, body = fetch(sql_url(base, sql))
    assert status == 400
    assert "too big" in json.loads(body)["error"]


@pytest.mark.slow
def test_ordinary_sql_still_runs_outside_the_public_edition(served):
    status, body = fetch(sql_url(served[0], "select count(*) as n from projects"))
    assert status == 200 and json.loads(body)["rows"] == [[4]]


@pytest.mark.slow
def test_public_edition_refuses_arbitrary_sql_but_serves_tables_and_canned_queries(served_public):
    base, _ = served_public
    assert fetch(sql_url(base, "select 1"))[0] == 403
    assert fetch(base + "/archive/projects.json")[0] == 200
    status, body = fetch(base + "/archive/projects_by_funder.json?" + urllib.parse.urlencode({"funder": "social"}))
    assert status == 200 and json.loads(body)["rows"]


@pytest.mark.slow
@pytest.mark.parametrize("table", ["pages_fts", "pages_fts_data", "pages_fts_idx", "pages_fts_docsize",
                                   "pages_fts_config", "projects_fts_data"])
def test_full_text_index_tables_are_not_served(served, served_public, table):
    for base, _ in (served, served_public):
        assert fetch(f"{base}/archive/{table}.json")[0] in (403, 404), table
        assert fetch(f"{base}/archive/{table}")[0] in (403, 404), table


def test_public_copy_index_holds_exactly_the_blanked_texts(archive, tmp_path):
    source = sqlite3.connect(archive)
    assert source.execute("select count(*) from pages where text like ?", [f"%{CONTACT['email']}%"]).fetchone()[0]
    source.close()
    copy = public_copy(archive, tmp_path)
    conn = sqlite3.connect(copy)
    assert conn.execute("select count(*) from pages where text like '%@%'").fetchone()[0] == 0
    before = [row for row in conn.execute("select id, block from pages_fts_data order by id")]
    conn.execute("insert into pages_fts(pages_fts) values ('rebuild')")
    conn.execute("insert into pages_fts(pages_fts) values ('optimize')")
    after = [row for row in conn.execute("select id, block from pages_fts_data order by id")]
    conn.close()
    assert before == after  # no segment, deleted fragment or tombstone beyond what the blanked text makes


@pytest.mark.slow
def test_table_search_box_accepts_punctuation_and_a_trailing_star(served):
    base, _ = served
    counts = {}
    for query in ("leader", "leader.", "leader?", "leader*", "Lead*", "hälsingebygden!"):
        status, body = fetch(f"{base}/archive/pages.json?" + urllib.parse.urlencode({"_search": query}))
        assert status == 200, body
        counts[query] = len(json.loads(body)["rows"])
    assert counts["leader"] == 1  # one of the three pages names Leader
    assert set(counts.values()) == {1}, counts


@pytest.mark.slow
def test_a_bad_sort_is_a_400(served):
    base, _ = served
    assert fetch(f"{base}/archive/projects.json?_sort=no_such_column")[0] == 400
    assert fetch(f"{base}/archive/projects?_sort=no_such_column")[0] == 400


def test_serve_knows_when_an_archive_needs_migrating(archive, tmp_path):
    copy = tmp_path / "archive.db"
    shutil.copy(archive, copy)
    db = open_archive(copy)
    assert shape_is_current(db)
    index = next(index.name for index in db.table("pages").indexes if index.columns == ["site_id"])
    db.execute(f"drop index [{index}]")
    assert not shape_is_current(db)
    db.close()
    db = open_archive(copy)
    assert shape_is_current(db)
    view = next(iter(db.view_names()))
    db.execute(f"drop view [{view}]")
    db.execute(f"create view [{view}] as select 1 as older_definition")
    assert not shape_is_current(db)
    db.close()


@pytest.mark.slow
def test_export_and_public_copy_leave_the_archive_file_untouched(archive, tmp_path):
    before = digest(archive)
    result = subprocess.run([KOMMUNARKIV, "export", "--db", str(archive), "--output", str(tmp_path / "p.csv")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    public_copy(archive, tmp_path)
    assert digest(archive) == before


@pytest.mark.slow
def test_serve_leaves_the_archive_file_untouched(archive, tmp_path):
    before = digest(archive)
    with serve_archive(archive, tmp_path / "log") as base:
        assert fetch(base + "/archive/projects.json")[0] == 200
    with serve_archive(archive, tmp_path / "log-public", "--public") as base:
        assert fetch(base + "/archive/projects.json")[0] == 200
    assert digest(archive) == before


# --- on a read-only mount: each command runs in its own mount namespace (unshare), nothing to clean up ---

def read_only(directory: Path, *command: str) -> list[str]:
    """`command` run with `directory` bind-mounted read-only over itself, in a private mount namespace."""
    script = f'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, str(directory), *command]


@pytest.fixture(scope="module")
def read_only_archive(archive, tmp_path_factory):
    if not shutil.which("unshare") or subprocess.run(read_only(archive.parent, "true"), capture_output=True).returncode:
        pytest.skip("cannot make a read-only mount here (needs root and unshare)")
    directory = tmp_path_factory.mktemp("ro")
    shutil.copy(archive, directory / "archive.db")
    return directory / "archive.db"


def serve_read_only(db: Path, log: Path, *extra: str):
    port = free_port()
    process = subprocess.Popen(read_only(db.parent, KOMMUNARKIV, "serve", "--db", str(db), "--port", str(port),
                                         *extra), stdout=log.open("w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not _answers(base + "/-/versions.json") and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    return process, base


@pytest.mark.slow
@pytest.mark.parametrize("extra", [(), ("--public",)])
def test_serve_works_on_a_read_only_mount(read_only_archive, tmp_path, extra):
    process, base = serve_read_only(read_only_archive, tmp_path / "log", *extra)
    try:
        assert process.poll() is None, (tmp_path / "log").read_text()
        status, body = fetch(base + "/archive/projects.json")
        assert status == 200 and len(json.loads(body)["rows"]) == 4
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow
def test_export_works_on_a_read_only_mount(read_only_archive, tmp_path):
    result = subprocess.run(read_only(read_only_archive.parent, KOMMUNARKIV, "export", "--db", str(read_only_archive),
                                      "--output", str(tmp_path / "p.csv")), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "p.csv").read_text("utf-8").splitlines()) == 5


@pytest.mark.slow
def test_crawl_on_a_read_only_mount_says_so_in_one_line(read_only_archive):
    result = subprocess.run(read_only(read_only_archive.parent, KOMMUNARKIV, "crawl", "--site", "http://127.0.0.1:9/",
                                      "--db", str(read_only_archive)), capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "read-only" in result.stderr, result.stderr


# --- a file that is no archive ---

@pytest.mark.slow
@pytest.mark.parametrize("command", [["crawl", "--site", "http://127.0.0.1:9/"], ["serve"], ["serve", "--public"],
                                     ["export"], ["reextract"], ["publish"]])
def test_every_command_on_a_non_database_file_gives_one_line(tmp_path, command):
    junk = tmp_path / "archive.db"
    junk.write_bytes(os.urandom(4096))
    result = subprocess.run([KOMMUNARKIV, *command, "--db", str(junk)], capture_output=True, text=True, timeout=120,
                            cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().count("\n") == 0 and "not an archive" in result.stderr, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("extra", [(), ("--public",)])
def test_a_stopped_server_leaves_no_temporary_files(archive, tmp_path, extra):
    """The generated metadata and the public copy live only while the server runs (Ctrl-C stops it)."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    port = free_port()
    process = subprocess.Popen([KOMMUNARKIV, "serve", "--db", str(archive), "--host", "127.0.0.1", "--port", str(port),
                                *extra], env={**os.environ, "TMPDIR": str(temp)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not _answers(f"http://127.0.0.1:{port}/-/versions.json"):
            assert process.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)
        assert any(temp.rglob("metadata.yml"))  # written where TMPDIR says while serving
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert list(temp.iterdir()) == []


@pytest.mark.parametrize("port", ["99999", "-1", "0"])
def test_a_port_out_of_range_is_a_usage_error(archive, port):
    from click.testing import CliRunner

    from scraper.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--db", str(archive), "--port", port])
    assert result.exit_code == 2
    assert "--port" in result.output and "Traceback" not in result.output
