"""Crawl runs: their frontier (checkpointed in the archive for --resume), their totals, and each site's health.

A run's `crawl_frontier` rows are written in the same transaction as the page that produced them
(the page's outcome, and the links it queued), so after Ctrl-C or `kill -9` the archive knows
exactly which URLs are done and which were discovered but not yet fetched.
"""
from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from pipelines.store import mark_removed, write_transaction

logger = logging.getLogger(__name__)

ANSWERED = ("new", "changed", "unchanged")  # outcomes of a page the site served
MIN_PREVIOUS_PROJECT_PAGES = 2  # "several": a drop from this many project pages to none flags the site
EMPTIED_TEXT_SHARE = 0.25  # mean main text below this share of the previous run's: a redesign emptied it
MIN_TEXT_CHARS = 200  # ... when the previous run's mean text was at least this long
THIN_TEXT_SHARE = 0.05  # main text below this share of the page's visible text: the cleaner missed the content
#   (on the 181 benchmark pages and the real Swedish pages, correct main texts are at least 0.11 of it)
MIN_VISIBLE_CHARS = 500  # ... judged only on pages with at least this much visible text
EMPTY_PAGES_SHARE = 0.5  # more than this share of a run's pages empty or thin: the site is broken, first crawl too


@dataclass
class Frontier:
    """What an interrupted run had done and queued, per site."""

    done: dict[str, set[str]] = field(default_factory=dict)
    queued: list[dict[str, Any]] = field(default_factory=list)


def start_run(db: Database, sites: list[dict[str, Any]], max_pages: int, now: str) -> int:
    """Open a new run (abandoning any interrupted one); return its id."""
    with write_transaction(db):
        for (run_id,) in db.execute("select id from crawl_runs where status in ('running', 'interrupted')").fetchall():
            logger.warning("Abandoning interrupted crawl run %s (resume it with --resume instead)", run_id)
            db.execute("update crawl_runs set status = 'abandoned' where id = ?", [run_id])
            db.execute("delete from crawl_frontier where run_id = ?", [run_id])
        return db.table("crawl_runs").insert({"started_at": now, "status": "running", "sites": json.dumps(sites),
                                              "max_pages": max_pages, "resumed": 0, "bytes_received": 0}).last_pk


def resumable_run(db: Database) -> dict[str, Any] | None:
    """The latest run that did not finish, if any."""
    rows = list(db.query("select * from crawl_runs where status in ('running', 'interrupted') order by id desc limit 1"))
    return rows[0] if rows else None


def resume_run(db: Database, run_id: int) -> Frontier:
    """Mark a run running again and return its frontier."""
    with write_transaction(db):
        db.execute("update crawl_runs set status = 'running', resumed = resumed + 1 where id = ?", [run_id])
    frontier = Frontier()
    for row in db.query("select * from crawl_frontier where run_id = ?", [run_id]):
        frontier.done.setdefault(row["site_id"], set()).add(row["url"])
        if row["outcome"] is None:
            frontier.queued.append(row)
    return frontier


def record_outcome(db: Database, run_id: int, url: str, site_id: str | None, outcome: str,
                   links: list[tuple[str, int, int]] = ()) -> None:
    """Mark a URL done with its outcome and queue the links found on it; call inside the page's transaction."""
    db.execute("insert into crawl_frontier (run_id, url, site_id, outcome) values (?, ?, ?, ?) "
               "on conflict (run_id, url) do update set outcome = excluded.outcome", [run_id, url, site_id, outcome])
    db.conn.executemany("insert or ignore into crawl_frontier (run_id, url, site_id, priority, depth) "
                        "values (?, ?, ?, ?, ?)", [(run_id, link, site_id, priority, depth)
                                                   for link, priority, depth in links])


def interrupt_run(db: Database, run_id: int, bytes_received: int) -> None:
    """Leave a stopped run resumable (its frontier kept for --resume), with its page and error counts so far."""
    run = db.table("crawl_runs").get(run_id)
    with write_transaction(db):
        totals: Counter = Counter()
        for site in json.loads(run["sites"]):
            row = _site_totals(db, run_id, site["id"])
            totals.update({k: row[k] or 0 for k in RUN_COUNTS})
        errors = db.execute("select count(*) from crawl_errors where run_id = ?", [run_id]).fetchone()[0]
        db.table("crawl_runs").update(run_id, {**totals, "status": "interrupted", "errors": errors,
                                               "bytes_received": run["bytes_received"] + bytes_received})


RUN_COUNTS = ("pages_fetched", "pages_unchanged", "pages_new", "pages_changed", "pages_removed")  # a run's page totals


def finish_run(db: Database, run_id: int, bytes_received: int, remove_after: int, now: str) -> list[dict[str, Any]]:
    """Total the run per site, mark pages absent for `remove_after` runs removed, flag broken sites; return site rows."""
    run = db.table("crawl_runs").get(run_id)
    site_rows = []
    with write_transaction(db):
        for site in json.loads(run["sites"]):
            row = _site_totals(db, run_id, site["id"])
            previous = _previous_totals(db, run_id, site["id"])
            problems = site_problems(row, previous)
            if not problems and _scheduled(db, run_id, site["id"]) < run["max_pages"]:
                row["pages_removed"] += _remove_absent(db, run_id, site["id"], remove_after, now)
            row.update(status="broken" if problems else "ok", problem="; ".join(problems) or None)
            db.table("crawl_run_sites").upsert(row, pk=("run_id", "site_id"))
            site_rows.append(row)
        errors = dict(db.execute("select kind, count(*) from crawl_errors where run_id = ? group by kind", [run_id]))
        totals = Counter()
        for row in site_rows:
            totals.update({k: row[k] for k in RUN_COUNTS})
        db.table("crawl_runs").update(run_id, {
            **totals, "ended_at": now, "status": "finished", "errors": sum(errors.values()),
            "errors_by_kind": json.dumps(errors, sort_keys=True), "bytes_received": run["bytes_received"] + bytes_received,
            "broken_sites": json.dumps([r["site_id"] for r in site_rows if r["status"] == "broken"])})
        db.execute("delete from crawl_frontier where run_id = ?", [run_id])
    return site_rows


def _site_totals(db: Database, run_id: int, site_id: str) -> dict[str, Any]:
    """One site's counts in a run, from the frontier's outcomes and the pages they point to."""
    row = db.execute(f"""
        select count(*) filter (where f.outcome in {ANSWERED}),
          count(*) filter (where f.outcome = 'unchanged'), count(*) filter (where f.outcome = 'new'),
          count(*) filter (where f.outcome = 'changed'), count(*) filter (where f.outcome = 'removed'),
          count(*) filter (where f.outcome in {ANSWERED} and p.is_project_page),
          cast(avg(length(p.text)) filter (where f.outcome in {ANSWERED}) as integer)
        from crawl_frontier f left join pages p on p.url = f.url where f.run_id = ? and f.site_id = ?""",
                     [run_id, site_id]).fetchone()
    errors, empty = db.execute("select count(*), count(*) filter (where kind = 'empty_text') from crawl_errors "
                               "where run_id = ? and site_id = ?", [run_id, site_id]).fetchone()
    keys = ("pages_fetched", "pages_unchanged", "pages_new", "pages_changed", "pages_removed", "project_pages",
            "avg_text_chars")
    return {"run_id": run_id, "site_id": site_id, **dict(zip(keys, row)), "errors": errors, "empty_pages": empty}


def _scheduled(db: Database, run_id: int, site_id: str) -> int:
    """How many of the site's URLs the run reached or queued: at the page budget, absence proves nothing."""
    return db.execute("select count(*) from crawl_frontier where run_id = ? and site_id = ?",
                      [run_id, site_id]).fetchone()[0]


def _previous_totals(db: Database, run_id: int, site_id: str) -> dict[str, Any] | None:
    """The site's row in the latest finished run before this one."""
    rows = list(db.query("select c.* from crawl_run_sites c join crawl_runs r on r.id = c.run_id where "
                         "c.site_id = ? and c.run_id < ? and r.status = 'finished' order by c.run_id desc limit 1",
                         [site_id, run_id]))
    return rows[0] if rows else None


def thin_text(text_chars: int, visible_chars: int) -> str | None:
    """Why a cleaned page's main text looks lost (empty, or a sliver of what the page shows), or None."""
    if text_chars == 0:
        return f"empty main text ({visible_chars} characters visible)"
    if visible_chars >= MIN_VISIBLE_CHARS and text_chars < THIN_TEXT_SHARE * visible_chars:
        return f"main text {text_chars} characters of {visible_chars} visible"
    return None


def site_problems(current: dict[str, Any], previous: dict[str, Any] | None) -> list[str]:
    """Why a site's yield looks collapsed in this run compared with the previous one (empty: healthy)."""
    problems = []
    if current["pages_fetched"] == 0 and current["errors"]:
        problems.append(f"every page an error ({current['errors']} errors)")
    if current["pages_fetched"] and current.get("empty_pages", 0) > EMPTY_PAGES_SHARE * current["pages_fetched"]:
        problems.append(f"main text empty or thin on {current['empty_pages']} of {current['pages_fetched']} pages")
    if previous and previous["project_pages"] >= MIN_PREVIOUS_PROJECT_PAGES and current["project_pages"] == 0:
        problems.append(f"no project pages (previous run: {previous['project_pages']})")
    if (previous and (previous["avg_text_chars"] or 0) >= MIN_TEXT_CHARS and current["pages_fetched"]
            and (current["avg_text_chars"] or 0) < EMPTIED_TEXT_SHARE * previous["avg_text_chars"]):
        problems.append(f"main text emptied (mean {current['avg_text_chars']} characters, "
                        f"previous run {previous['avg_text_chars']})")
    return problems


def _remove_absent(db: Database, run_id: int, site_id: str, remove_after: int, now: str) -> int:
    """Count a miss for the site's pages this complete run did not reach; mark those missed `remove_after` times removed."""
    db.execute(f"update pages set missed_runs = coalesce(missed_runs, 0) + 1 where site_id = ? and removed_at is null "
               f"and url not in (select url from crawl_frontier where run_id = ? and outcome in {ANSWERED})",
               [site_id, run_id])
    gone = [url for (url,) in db.execute("select url from pages where site_id = ? and removed_at is null and "
                                         "missed_runs >= ?", [site_id, remove_after])]
    if gone:
        logger.info("Site %s: %d pages absent from %d crawls in a row, marked removed", site_id, len(gone),
                    remove_after)
    return mark_removed(db, gone, now)
