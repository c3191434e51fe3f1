"""The extraction stage: kept pages extracted in nlp.pipe batches by a worker process per core, and their projects
replaced; no fetching.

`crawl` runs it after the downloads over the pages whose text or extractor version changed (a crawl stores pages
only, so downloads never wait for NLP), reading the cleaned page the crawl stored with each version (clean_page);
`reextract` runs it over every kept page after the extractor or the cleaner improves, cleaning each raw body again.
Resumable like the crawl: a page's projects and its extractor_version are written in one transaction, so the pages
still to extract are found from the archive (extractor_version null or not the current one).
"""
from __future__ import annotations

import gzip
import logging
import multiprocessing
import os
import sqlite3
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from sqlite_utils import Database

from pipelines.clean import clean_html
from pipelines.page import CleanPage
from pipelines.merge import merge_projects, project_counts
from pipelines.store import prune_organisations, record_error, store_extraction, utc_now

logger = logging.getLogger(__name__)

BATCH = 64  # pages a worker cleans and extracts (nlp.pipe) per task
KEPT = "from pages p join page_versions v on v.url = p.url and v.version = p.version where v.body_gz is not null"
ROW_SQL = ("select p.url, p.site_id, coalesce(p.last_seen_at, p.fetched_at) as seen_at, v.body_gz, v.content_type, "
           "{clean_page} as clean_page " + KEPT)


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """The current extractor's version (pages extracted by another one are pending), read from the rule files
    without loading spaCy, so a re-crawl with nothing to extract never loads it."""
    from pipelines.versions import extractor_version as rules_version

    return rules_version()


def pending_urls(db: Database, version: str | None) -> list[str]:
    """URLs of the kept pages to extract, in URL order: those not extracted by `version`, or all when it is None
    (keyset pages of 1,000 along the primary key)."""
    where, params = (" and (p.extractor_version is null or p.extractor_version != ?)", [version]) if version else ("", [])
    urls: list[str] = []
    while True:
        found = [row[0] for row in db.execute(f"select p.url {KEPT} and p.url > ?{where} order by p.url limit 1000",
                                              [urls[-1] if urls else "", *params])]
        urls += found
        if len(found) < 1000:
            return urls


def _rows(db: Database, urls: list[str], reclean: bool = False) -> list[dict[str, Any]]:
    """The pages' rows with their current raw body and stored cleaned page (none when `reclean`), in the order of
    `urls`."""
    marks = ", ".join("?" * len(urls))
    sql = ROW_SQL.format(clean_page="null" if reclean else "v.clean_page")
    found = {row["url"]: row for row in db.query(f"{sql} and p.url in ({marks})", urls)}
    return [found[url] for url in urls if url in found]


def _clean(row: dict[str, Any]) -> CleanPage | None:
    """The cleaned page: the one stored with the version, else cleaned from its raw body; None (logged) if the body
    cannot be read."""
    if row.get("clean_page"):
        try:
            return CleanPage.from_json(row["url"], row["clean_page"])
        except (ValueError, TypeError) as error:
            logger.warning("Cleaning %s again: its stored cleaned page cannot be read (%s)", row["url"], error)
    try:
        return clean_html(gzip.decompress(row["body_gz"]), row["url"], row["content_type"])
    except Exception as error:  # one unreadable body must not stop the stage
        logger.warning("Keeping the old projects of %s: its raw page cannot be read (%s)", row["url"], error)
        return None


def extract_rows(extractor: Any, rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(row without its body, record) for each readable page, extracted in one batch; a batch that fails is
    extracted page by page so that one bad page only costs its own record ({"error": ...})."""
    cleaned = [({k: v for k, v in row.items() if k not in ("body_gz", "clean_page")}
                | ({} if row.get("clean_page") else {"text": page.text}), page) for row in rows
               if (page := _clean(row))]  # a page cleaned again from its raw body carries its new main text
    try:
        return list(zip([row for row, _ in cleaned], extractor.extract([page for _, page in cleaned])))
    except Exception:
        out = []
        for row, page in cleaned:
            try:
                out.append((row, next(iter(extractor.extract([page])))))
            except Exception as error:
                logger.exception("Extraction failed on %s", row["url"])
                out.append((row, {"error": f"extraction failed: {error}"}))
        return out


_worker: dict[str, Any] = {}  # in each worker process: its read-only archive connection and extractor


def _start_worker(path: str) -> None:
    """Open the archive read-only and load the extractor, once per worker process."""
    from pipelines.extract.engine import Extractor

    _worker["db"] = Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    _worker["extractor"] = Extractor()


def _work(task: tuple[list[str], bool]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Extract one batch of pages (URLs, whether to clean them again) in a worker process."""
    urls, reclean = task
    return extract_rows(_worker["extractor"], _rows(_worker["db"], urls, reclean))


def _batches(urls: list[str]) -> Iterator[list[str]]:
    """The URLs in tasks of BATCH."""
    for start in range(0, len(urls), BATCH):
        yield urls[start:start + BATCH]


def _db_path(db: Database) -> str:
    """The file an archive connection reads."""
    return next(row[2] for row in db.execute("pragma database_list") if row[1] == "main")


def run_stage(db: Database, everything: bool = False, workers: int | None = None,
              extractor: Any = None) -> tuple[int, int]:
    """Extract the pending pages (every kept page when `everything`) and replace their projects; return
    (pages extracted, projects in the archive after merging: merge.project_counts). Pending pages are read from their stored cleaned page, every page
    (`everything`) is cleaned again from its raw body. Worker processes: `workers` (default one per core, never
    more than the batches); one, or a given `extractor`, runs in this process."""
    urls = pending_urls(db, None if everything else extractor_version())
    batches = list(_batches(urls))
    workers = min(workers or os.cpu_count() or 1, len(batches))
    if not batches:
        pages = 0
    elif extractor is not None or workers <= 1:
        if extractor is None:
            from pipelines.extract.engine import Extractor

            extractor = Extractor()
        results: Iterator[list] = (extract_rows(extractor, _rows(db, batch, everything)) for batch in batches)
        pages = _store(db, results)
    else:
        logger.info("Extracting %d pages in %d worker processes", len(urls), workers)
        context = multiprocessing.get_context("spawn")  # no fork of a process that ran Scrapy's reactor and threads
        with context.Pool(workers, initializer=_start_worker, initargs=(_db_path(db),)) as pool:
            pages = _store(db, pool.imap(_work, [(batch, everything) for batch in batches]))
    prune_organisations(db)
    merge_projects(db)  # descriptions of one project on several pages become one project
    return pages, project_counts(db)["projects"]


def _store(db: Database, results: Iterator[list[tuple[dict[str, Any], dict[str, Any]]]]) -> int:
    """Write each extracted page (its projects and extractor version in one transaction); return how many."""
    pages = 0
    for batch in results:
        for row, record in batch:
            if record.get("error"):
                record_error(db, row["url"], row["site_id"], "parse", record["error"], utc_now())
                continue
            store_extraction(db, row["url"], row["site_id"], record, row["seen_at"], row.get("text"))
            pages += 1
    return pages


def reextract_archive(db: Database, extractor: Any = None, workers: int | None = None) -> tuple[int, int]:
    """Re-run the extractor over every kept page and replace its projects; return (pages, projects)."""
    return run_stage(db, everything=True, workers=workers, extractor=extractor)
