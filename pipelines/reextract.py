"""Rebuild projects from the raw pages kept in the archive, after the extractor improves: no re-crawl."""
from __future__ import annotations

import gzip
import logging
from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

from pipelines.cfemail import decode_protected_emails
from pipelines.clean import clean_html, decode_html
from pipelines.page import CleanPage
from pipelines.store import prune_organisations, store_extraction

logger = logging.getLogger(__name__)

BATCH = 64


def _kept_pages(db: Database) -> Iterator[list[dict[str, Any]]]:
    """Pages with a kept raw body, in batches (keyset pagination keeps memory flat)."""
    last = ""
    while True:
        rows = list(db.query(
            "select p.url, p.site_id, coalesce(p.last_seen_at, p.fetched_at) as seen_at, v.body_gz, v.content_type "
            "from pages p join page_versions v on v.url = p.url and v.version = p.version "
            "where v.body_gz is not null and p.url > ? order by p.url limit ?", [last, BATCH]))
        if not rows:
            return
        yield rows
        last = rows[-1]["url"]


def _clean(row: dict[str, Any]) -> CleanPage | None:
    """The cleaned page from its raw body, or None (logged) if it cannot be read."""
    try:
        html = decode_html(gzip.decompress(row["body_gz"]), row["content_type"])
        return clean_html(decode_protected_emails(html), row["url"], row["content_type"])
    except Exception as error:  # one unreadable body must not stop the rebuild
        logger.warning("Keeping the old projects of %s: its raw page cannot be read (%s)", row["url"], error)
        return None


def reextract_archive(db: Database, extractor: Any = None) -> tuple[int, int]:
    """Re-run the extractor over every kept page and replace its projects; return (pages, projects)."""
    if extractor is None:
        from pipelines.extract.engine import Extractor

        extractor = Extractor()
    pages = 0
    for rows in _kept_pages(db):
        cleaned = [(row, page) for row in rows if (page := _clean(row)) is not None]
        for (row, _), record in zip(cleaned, extractor.extract([page for _, page in cleaned])):
            store_extraction(db, row["url"], row["site_id"], record, row["seen_at"])
            pages += 1
    prune_organisations(db)
    return pages, db.execute("select count(*) from projects").fetchone()[0]
