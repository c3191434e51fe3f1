"""The archive's indexes: every foreign key indexed, and every lookup the code, the canned queries and the
pictures make answered from an index (EXPLAIN QUERY PLAN), never by scanning a large table."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from scrapy import Request
from sqlite_utils import Database

from pipelines.merge import DESCRIPTIONS_SQL, PROJECT_COUNTS_SQL
from pipelines.reextract import reextract_archive
from pipelines.runs import finish_run, record_outcome, resumable_run, resume_run, start_run
from pipelines.store import (mark_removed, open_archive, prune_organisations, record_error, schema, store_page,
                             store_site, touch_page)
from pipelines.versions import latest_body, latest_links
from scraper.datasette_plugins import kommunarkiv_facets, kommunarkiv_pictures
from scraper.datasette_plugins.kommunarkiv_search import fts_query
from scraper.metadata import build_metadata
from scraper.middlewares import ConditionalRequestMiddleware
from test_publish import ARCHIVE, NOW, QUERY_CASES, build_archive

# Tables that grow with the crawl; scanning one of them for a lookup is what indexes are for.
LARGE = {"pages", "page_versions", "projects", "project_organisations", "contacts", "crawl_errors", "crawl_frontier"}
# Canned queries that report on the whole archive (or match substrings) read a large table by design;
# the tables each may scan. Every other table they touch must be searched through an index.
REPORTS = {
    "funding_by_county_and_year": {"projects"},
    "shared_projects": {"projects", "project_organisations"},
    "funders": {"project_organisations"},
    "projects_with_roles": {"projects", "project_organisations"},
    "active_projects_on_date": {"projects"},  # start and end compared at each project's own precision
    "projects_by_funder": {"project_organisations"},  # a substring of a funder's name or mention
}
# Statements over the whole archive by design: pruning after a crawl, the archive's totals after a crawl or
# re-extraction (merge.project_counts), and the merge reading every description to compare them.
WHOLE_ARCHIVE = ("delete from organisations where id not in", PROJECT_COUNTS_SQL.lower()[:60],
                 DESCRIPTIONS_SQL.lstrip().lower()[:60])
ALIAS_RE = re.compile(r"\b(?:from|join)\s+\[?(\w+)\]?(?:\s+(?:as\s+)?(?!on\b|where\b|join\b|left\b|group\b|order\b)"
                      r"(\w+))?", re.I)


def tables_by_alias(sql: str) -> dict[str, str]:
    """The tables a statement names, by alias (and by their own name)."""
    aliases = {}
    for table, alias in ALIAS_RE.findall(sql):
        aliases[table] = table
        if alias:
            aliases[alias] = table
    return aliases


def scanned_large_tables(conn: sqlite3.Connection, sql: str, params=()) -> set[str]:
    """Large tables the statement's plan reads in full (SCAN, or an automatic index SQLite builds itself)."""
    aliases = tables_by_alias(sql)
    if isinstance(params, dict):  # Datasette binds a canned query's missing parameters as ''
        params = {name: "" for name in re.findall(r":(\w+)", sql)} | params
    scanned = set()
    for *_, detail in conn.execute("explain query plan " + sql, params):
        match = re.match(r"(SCAN|SEARCH) (\w+)", detail)
        if not match or aliases.get(match[2], match[2]) not in LARGE:
            continue
        if match[1] == "SCAN" or "AUTOMATIC" in detail:
            scanned.add(aliases.get(match[2], match[2]))
    return scanned


def test_every_foreign_key_leads_an_index(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "archive.db")
    for name, spec in schema()["tables"].items():
        leading = {index.columns[0] for index in db.table(name).indexes}
        for column, _, _ in spec.get("foreign_keys", []):
            assert column in leading, f"{name}.{column} is a foreign key without an index"


def test_declared_indexes_exist(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "archive.db")
    for name, spec in schema()["tables"].items():
        existing = {tuple(index.columns) for index in db.table(name).indexes}
        assert {tuple(columns) for columns in spec.get("indexes", [])} <= existing, name


def exercise_the_code(db_path: Path) -> list[str]:
    """Run what a crawl, a resume, a re-extraction and the middleware do; return every statement they executed."""
    statements: list[str] = []
    db = Database(db_path)
    db.execute("PRAGMA foreign_keys = ON")
    db.conn.set_trace_callback(statements.append)
    run_id = start_run(db, [{"id": site["id"]} for site, _, _ in ARCHIVE], 500, NOW)
    for site, page, projects in ARCHIVE:
        with db.atomic():
            store_site(db, site, NOW)
            store_page(db, site["id"], page, projects, NOW, body=b"<html><p>" + page["text"].encode() + b"</p></html>",
                       links=[(page["url"] + "/mer", 0)])
            record_outcome(db, run_id, page["url"], site["id"], "new", [(page["url"] + "/mer", 0, 1)])
    site, page, projects = ARCHIVE[0]
    store_page(db, site["id"], {**page, "text": page["text"] + " Ny mening."}, projects[:0], NOW)
    touch_page(db, ARCHIVE[1][1]["url"], NOW, [(page["url"] + "/mer", 0)])
    record_error(db, page["url"] + "/borta", site["id"], "http_4xx", "HTTP 404", NOW, run_id)
    resume_run(db, resumable_run(db)["id"])
    finish_run(db, run_id, 1000, 1, NOW)
    mark_removed(db, [ARCHIVE[2][1]["url"]], NOW)
    latest_body(db, page["url"])
    latest_links(db, page["url"])
    prune_organisations(db)
    middleware = ConditionalRequestMiddleware(str(db_path))
    middleware.archive().conn.set_trace_callback(statements.append)
    middleware.process_request(Request(page["url"], meta={"site_id": site["id"]}))
    middleware.close()

    class Unchanged:  # an extractor that finds what is stored: re-extraction reads and rewrites every page
        def extract(self, pages):
            return [{"projects": [], "extractor_version": "test"} for _ in pages]

    reextract_archive(db, Unchanged())
    db.close()
    probe = re.compile(r"\bt[0-9a-f]{32}\b")  # sqlite-utils' feature probe on a temporary table
    return [s for s in statements if re.match(r"\s*(select|update|delete|insert)", s, re.I) and not probe.search(s)]


def test_the_codes_lookups_use_indexes(tmp_path: Path) -> None:
    db_path = tmp_path / "archive.db"
    open_archive(db_path).close()
    statements = exercise_the_code(db_path)
    assert any("from crawl_frontier" in s for s in statements) and any("page_versions" in s for s in statements)
    conn = sqlite3.connect(db_path)
    scans = {s: scanned for s in set(statements)
             if not s.lstrip().lower().startswith(WHOLE_ARCHIVE) and (scanned := scanned_large_tables(conn, s))}
    assert scans == {}


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    conn = sqlite3.connect(build_archive(tmp_path_factory.mktemp("indexes") / "archive.db"))
    conn.create_function("sv_match", 1, fts_query, deterministic=True)
    return conn


@pytest.mark.parametrize("name", sorted(QUERY_CASES))
def test_canned_queries_scan_only_what_they_report_on(archive: sqlite3.Connection, name: str) -> None:
    sql = build_metadata()["databases"]["archive"]["queries"][name]["sql"]
    assert scanned_large_tables(archive, sql, QUERY_CASES[name][0]) <= REPORTS.get(name, set())


def test_map_and_chart_use_indexes(archive: sqlite3.Connection) -> None:
    assert scanned_large_tables(archive, kommunarkiv_pictures.MAP_SQL) == set()
    assert scanned_large_tables(archive, kommunarkiv_pictures.CHART_SQL, {"none": "-"}) == set()


def test_the_whole_overviews_facets_read_kept_counts_through_indexes(archive: sqlite3.Connection) -> None:
    classes = {cls.type: cls for cls in kommunarkiv_facets.register_facet_classes()}
    facets = build_metadata()["databases"]["archive"]["tables"]["project_overview"]["facets"]
    assert len(facets) == 5
    for declared in facets:
        (kind, config), = declared.items()
        config = config if isinstance(config, dict) else {"column": config}
        facet = classes[kind](None, None, "archive", table="project_overview")
        sql = facet.kept_sql(config["column"], config, 31)
        plan = [d for *_, d in archive.execute("explain query plan " + sql, {"view": "project_overview",
                                                                            "facet": config["column"]})]
        assert any("facet_counts" in d for d in plan), plan
        assert [d for d in plan if d.startswith("SCAN") and not d.startswith("SCAN g")] == [], plan
        assert all("INDEX" in d for d in plan if d.startswith("SEARCH")), plan


def test_the_check_catches_a_scan(archive: sqlite3.Connection) -> None:
    assert scanned_large_tables(archive, "select * from projects p where p.summary = 'x'") == {"projects"}
    assert scanned_large_tables(archive, "select * from projects where title like '%a%'") == {"projects"}
    assert scanned_large_tables(archive, "select * from projects p where p.site_id = '2523'") == set()
