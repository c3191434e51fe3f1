"""The archive: its shape declared in data/schema.yml, and idempotent writes of pages and projects."""
from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import unicodedata
from datetime import datetime, timezone
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlite_utils import Database

from pipelines.funders import funding_sources, source_for, store_funding_sources
from pipelines.places import store_municipalities
from pipelines.rows import get_row, update_row, upsert_row
from pipelines.versions import Links, body_hash, keep_links, save_version
from pipelines.suppress import is_suppressed

SQL_TYPES = {"text": str, "integer": int, "real": float, "blob": bytes}
ROW_RE = re.compile(r"\brow\.")  # `row.` in a derived column's source condition: the trigger's new. or old.


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The declared schema from pipelines/data/schema.yml."""
    return yaml.safe_load(resources.files("pipelines").joinpath("data/schema.yml").read_text("utf-8"))


def utc_now() -> str:
    """The current time as ISO 8601 in UTC, to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def slugify(name: str) -> str:
    """An ASCII id from a name: "Gällivare kommun" -> "gallivare-kommun"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "okand"


def ensure_db_shape(db: Database) -> None:
    """Create missing tables, columns, indexes, full-text indexes, derived columns and views; safe on every open."""
    for name, spec in schema()["tables"].items():
        columns = {col: SQL_TYPES[col_spec[0]] for col, col_spec in spec["columns"].items()}
        table = db.table(name)
        if not table.exists():
            table.create(columns, pk=spec["pk"], foreign_keys=[tuple(fk) for fk in spec.get("foreign_keys", [])])
        else:
            for col, col_type in columns.items():
                if col not in table.columns_dict:
                    table.add_column(col, col_type)
        for index in spec.get("indexes", []):
            table.create_index(index, if_not_exists=True)
        if spec.get("fts"):
            _ensure_fts(db, name, spec["fts"], spec.get("fts_tokenize"))
    for name, spec in schema()["tables"].items():
        if spec.get("derived"):
            _ensure_derived(db, name, spec["derived"])
    for name, spec in schema().get("views", {}).items():
        db.create_view(name, spec["sql"], replace=True)
        if spec.get("kept_counts"):
            _ensure_kept_counts(db, name, spec["kept_counts"])


def _ensure_trigger(db: Database, name: str, sql: str) -> bool:
    """Create the trigger, or replace it when its SQL differs; return whether it was (re)created."""
    existing = db.execute("select sql from sqlite_master where type = 'trigger' and name = ?", [name]).fetchone()
    if existing and existing[0] == sql:
        return False
    db.execute(f"DROP TRIGGER IF EXISTS [{name}]")
    db.execute(sql)
    return True


def _ensure_fts(db: Database, table: str, columns: list[str], tokenize: str | None) -> None:
    """A full-text index on `columns`, kept by triggers that fire only when one of those columns changes.

    sqlite-utils' own triggers rewrite the entry on every update (a 304 re-fetch touching fetched_at
    rewrote the page's trigram entry), so its index is made without them and these are added.
    """
    db.table(table).enable_fts(columns, tokenize=tokenize, replace=True)
    listed = ", ".join(f"[{c}]" for c in columns)
    values = {row: ", ".join(f"{row}.[{c}]" for c in columns) for row in ("new", "old")}
    changed = " OR ".join(f"old.[{c}] IS NOT new.[{c}]" for c in columns)
    delete = f"INSERT INTO [{table}_fts] ([{table}_fts], rowid, {listed}) VALUES ('delete', old.rowid, {values['old']});"
    insert = f"INSERT INTO [{table}_fts] (rowid, {listed}) VALUES (new.rowid, {values['new']});"
    _ensure_trigger(db, f"{table}_fts_insert", f"CREATE TRIGGER [{table}_fts_insert] AFTER INSERT ON [{table}] "
                                               f"BEGIN {insert} END")
    _ensure_trigger(db, f"{table}_fts_delete", f"CREATE TRIGGER [{table}_fts_delete] AFTER DELETE ON [{table}] "
                                               f"BEGIN {delete} END")
    _ensure_trigger(db, f"{table}_fts_update", f"CREATE TRIGGER [{table}_fts_update] AFTER UPDATE OF {listed} "
                                               f"ON [{table}] WHEN {changed} BEGIN {delete} {insert} END")


def _ensure_derived(db: Database, table: str, derived: dict[str, Any]) -> None:
    """Triggers that keep the table's derived columns current (schema.yml `derived`); fill them when new."""
    assignments = ", ".join(f"[{column}] = ({expression})" for column, expression in derived["columns"].items())
    created = False
    for source, (columns, condition) in derived["sources"].items():
        for event, rows in (("insert", ["new"]), ("update", ["old", "new"]), ("delete", ["old"])):
            if event == "delete" and source == table:
                continue
            where = " OR ".join("(" + ROW_RE.sub(f"{row}.", condition) + ")" for row in rows)
            of = when = ""
            if event == "update" and columns:  # only a real change: an upsert re-setting a column fires too
                of = f" OF {', '.join(f'[{c}]' for c in columns)}"
                when = " WHEN " + " OR ".join(f"old.[{c}] IS NOT new.[{c}]" for c in columns)
            name = f"{table}_derived_{source}_{event}"
            created |= _ensure_trigger(db, name, f"CREATE TRIGGER [{name}] AFTER {event.upper()}{of} ON [{source}]"
                                                 f"{when} BEGIN UPDATE [{table}] SET {assignments} WHERE {where}; END")
    if created:
        db.execute(f"UPDATE [{table}] SET {assignments}")


def _count_parts(counts: dict[str, Any], row: str, step: int) -> str:
    """SELECT of the (facet, value, step) rows by which one row of the counted table changes a view's facet counts,
    for a trigger (`row` is "new" or "old"): each facet's value (each name of a list, which the store writes once
    each; a group's columns as a JSON array) and a ('', facet) row per facet, whose count is the view's rows."""
    when = "(" + ROW_RE.sub(f"{row}.", counts["where"]) + ")"
    parts = []
    for facet, (kind, source) in counts["facets"].items():
        parts.append(f"select '' as facet, '{facet}' as value, {step} as step where {when}")
        if kind == "value":
            parts.append(f"select '{facet}', {row}.[{source}], {step} where {when} and {row}.[{source}] is not null")
        elif kind == "list":
            parts.append(f"select '{facet}', cast(j.value as text), {step} from json_each(case when "
                         f"json_valid({row}.[{source}]) then {row}.[{source}] end) j where {when}")
        else:  # group: the computed facet's source columns
            parts.append(f"select '{facet}', json_array({', '.join(f'{row}.[{c}]' for c in source)}), {step} "
                         f"where {when}")
    return " union all ".join(parts)


def _ensure_kept_counts(db: Database, view: str, counts: dict[str, Any]) -> None:
    """Triggers that keep a view's facet counts in facet_counts as its table's rows change (schema.yml
    `kept_counts`); recount from scratch when they are new or changed. A count that falls to 0 stays, as 0.

    One upsert per trigger: a trigger of several statements cost ten times as much per row (temporary files)."""
    table = counts["table"]
    steps = {"insert": _count_parts(counts, "new", 1), "delete": _count_parts(counts, "old", -1)}
    steps["update"] = f"{steps['delete']} union all {steps['insert']}"
    columns = sorted({c for _, source in counts["facets"].values() for c in (source if isinstance(source, list)
                                                                            else [source])})
    when = {row: "(" + ROW_RE.sub(f"{row}.", counts["where"]) + ")" for row in ("new", "old")}
    changed = " OR ".join([f"old.[{c}] IS NOT new.[{c}]" for c in columns] + [f"{when['old']} IS NOT {when['new']}"])
    created = False
    for event, where in (("insert", when["new"]), ("delete", when["old"]), ("update", changed)):
        name = f"{view}_counts_{event}"
        created |= _ensure_trigger(db, name, f"CREATE TRIGGER [{name}] AFTER {event.upper()} ON [{table}] WHEN {where} "
                                             f"BEGIN INSERT INTO facet_counts (view, facet, value, n) "
                                             f"SELECT '{view}', facet, value, step FROM ({steps[event]}) WHERE true "
                                             "ON CONFLICT (view, facet, value) DO UPDATE SET n = n + excluded.n; END")
    if created:
        recount(db, view)


def recount(db: Database, view: str) -> None:
    """Count a view's facets in facet_counts from scratch (what the triggers keep current)."""
    counts = schema()["views"][view]["kept_counts"]
    table, where = f"[{counts['table']}] t", ROW_RE.sub("t.", counts["where"])
    parts = []
    for facet, (kind, source) in counts["facets"].items():
        parts.append(f"select '', '{facet}', count(*) from {table} where {where}")
        if kind == "value":
            parts.append(f"select '{facet}', t.[{source}], count(*) from {table} where {where} "
                         f"and t.[{source}] is not null group by t.[{source}]")
        elif kind == "list":
            names = f"json_each(case when json_valid(t.[{source}]) then t.[{source}] end) j"
            parts.append(f"select '{facet}', cast(j.value as text), count(*) from {table}, {names} "
                         f"where {where} group by 2")
        else:
            group = f"json_array({', '.join(f't.[{c}]' for c in source)})"
            parts.append(f"select '{facet}', {group}, count(*) from {table} where {where} group by {group}")
    with write_transaction(db):
        db.execute("delete from facet_counts where view = ?", [view])
        db.execute(f"insert into facet_counts (view, facet, value, n) select ?, * from ({' union all '.join(parts)})",
                   [view])


def open_archive(path: str | Path) -> Database:
    """Open (or create) an archive in WAL mode with its declared shape; ArchiveError for a file that is not SQLite.

    synchronous=NORMAL, SQLite's advice for WAL: a commit is not synced to disk (the crawl commits once a page), and
    a killed process loses nothing; only a power cut or OS crash may undo the last commits, which the next crawl
    fetches again. The file stays consistent either way."""
    check_archive_file(path)
    db = Database(path)
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    ensure_db_shape(db)
    store_municipalities(db)
    if db.table("funding_sources").count != len(funding_sources()):
        store_funding_sources(db)
    return db


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """A transaction that takes the archive's write lock first (BEGIN IMMEDIATE), committed on exit and rolled back
    on an error; inside another transaction, a savepoint of it (sqlite-utils' atomic()).

    sqlite-utils' atomic() begins a deferred transaction: one that reads before it writes (an upsert does) and then
    meets another writer gets "database is locked" at once, since SQLite skips the busy timeout when upgrading a
    read transaction (a wait could deadlock). Taking the lock first makes it wait the connection's busy timeout.
    sqlite3.OperationalError "database is locked" when the lock stays held that long.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        with db.atomic():  # a savepoint inside ours
            yield db
    except BaseException:
        db.rollback()
        raise
    db.conn.execute("COMMIT")


SQLITE_HEADER = b"SQLite format 3\x00"


class ArchiveError(RuntimeError):
    """A file that cannot serve as an archive (not SQLite, unreadable); its message is one line for the user."""


def check_archive_file(path: str | Path) -> None:
    """ArchiveError unless `path` is absent, empty or an SQLite database (by its 16-byte header)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as error:
        raise ArchiveError(f"cannot read the archive {path}: {error.strerror}") from None
    if header and header != SQLITE_HEADER:
        raise ArchiveError(f"{path} is not an archive: not an SQLite database file")
    if header:
        _check_archive_tables(path)


CORE_TABLES = {"pages", "sites"}  # an SQLite file with tables but without these is someone else's database


def _check_archive_tables(path: Path) -> None:
    """ArchiveError when the SQLite database at `path` holds tables but not the archive's CORE_TABLES; read only."""
    mode = "mode=ro" if archive_writable(path) else "immutable=1"
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)
    try:
        tables = {row[0] for row in connection.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise ArchiveError(f"{path} is not a kommunarkiv archive ({error})") from None
    finally:
        connection.close()
    if tables and not CORE_TABLES <= tables:
        raise ArchiveError(f"{path} is not a kommunarkiv archive")


def archive_writable(path: str | Path) -> bool:
    """Whether the archive file and its directory can be written; a read-only mount counts, even for root."""
    path = Path(path).resolve()
    return (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
            and not os.statvfs(path.parent).f_flag & os.ST_RDONLY)


def open_archive_readonly(path: str | Path) -> Database:
    """Open an existing archive for reading only (SQLite URI mode=ro), never changing its file.

    On a read-only file or mount it is opened immutable=1: SQLite cannot open a WAL database mode=ro
    where it cannot create the -shm file. ArchiveError for a file that is not an SQLite database.
    """
    path = Path(path)
    check_archive_file(path)
    if not path.is_file():
        raise ArchiveError(f"no archive at {path}")
    mode = "mode=ro" if archive_writable(path) else "immutable=1"
    return Database(sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True))


def shape_is_current(db: Database) -> bool:
    """Whether the archive has every declared table, column, index and view as declared (else open_archive would
    migrate it)."""
    tables = set(db.table_names())
    for name, spec in schema()["tables"].items():
        if name not in tables or not set(spec["columns"]) <= set(db.table(name).columns_dict):
            return False
        indexed = {tuple(index.columns) for index in db.table(name).indexes}
        if not {tuple(columns) for columns in spec.get("indexes", [])} <= indexed:
            return False
    views = dict(db.execute("select name, sql from sqlite_master where type = 'view'").fetchall())
    return all(name in views and spec["sql"].strip() in views[name] for name, spec in schema().get("views", {}).items())


def content_hash(text: str) -> str:
    """SHA-256 of a page's main text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def project_id(page_url: str, title: str, index: int) -> str:
    """A stable id for the index-th project titled `title` on a page."""
    key = f"{page_url}\n{slugify(title or '')}\n{index}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _year(date: str | None) -> int | None:
    """The year of a YYYY[-MM[-DD]] date."""
    return int(date[:4]) if date and date[:4].isdigit() else None


def active_years(start: str | None, end: str | None, this_year: int | None = None) -> list[int]:
    """The years a project runs, from its YYYY[-MM[-DD]] start and end: an open end runs to this year, a
    project with only an end ran in that year; no period, no years.

    >>> active_years("2023-09", "2025-08-31")
    [2023, 2024, 2025]
    >>> active_years("2024", None, this_year=2026)
    [2024, 2025, 2026]
    """
    first, last = _year(start), _year(end)
    if first is None and last is None:
        return []
    this_year = this_year or datetime.now(timezone.utc).year
    first = first if first is not None else last
    last = last if last is not None else max(first, this_year)
    return list(range(first, last + 1)) if last - first <= 50 else [first, last]


def search_words(project: dict[str, Any], site: dict[str, Any]) -> str:
    """What a search should find a project by besides its title and summary: funders (with every name of their
    funding source), partners, owner, municipality and county, one per line."""
    orgs = [*(project.get("funders") or []), *(project.get("partners") or []),
            *([project["owner"]] if project.get("owner") else [])]
    words = [text for org in orgs for text in (org.get("name"), org.get("mention")) if text]
    for org in project.get("funders") or []:
        source = source_for(slugify(org.get("name") or ""), org.get("name"), org.get("mention"))
        words += list(source.names) if source else []
    words += [site.get("name"), site.get("county")]
    return "\n".join(dict.fromkeys(w for w in words if w))


def store_site(db: Database, site: dict[str, Any], now: str) -> None:
    """Upsert a site, keeping when it was first crawled."""
    existing = db.table("sites").get(site["id"]) if _exists(db, "sites", "id", site["id"]) else None
    row = {**site, "last_crawled_at": now, "first_crawled_at": (existing or {}).get("first_crawled_at") or now}
    db.table("sites").upsert(row, pk="id")


def store_page(db: Database, site_id: str, page: dict[str, Any], projects: list[dict[str, Any]] | None, now: str,
               body: bytes | None = None, clean_page: str | None = None, links: Links | None = None) -> str:
    """Write one fetched page, its text version, raw body (with `clean_page`, the CleanPage.to_json() read from it,
    and `links`, the (url, priority) links read from it) and projects in one transaction; return new, changed or
    unchanged.

    With projects None the page waits for the extraction stage (pipelines/reextract.py): a new or changed text
    clears its extractor_version, an unchanged one keeps it, and its projects stay as they are until then."""
    page = {"content_hash": content_hash(page.get("text") or ""), **page}
    with write_transaction(db):
        previous = get_row(db, "pages", "url", page["url"]) or {}
        outcome = ("new" if not previous else "unchanged" if previous.get("content_hash") == page["content_hash"]
                   else "changed")
        if projects is None and outcome != "unchanged":
            page["extractor_version"] = None
        elif projects is None:  # the extraction of this text stands, and with it the title it read
            page.pop("title", None)
        row = {**page, "site_id": site_id, "fetched_at": now, "last_seen_at": now, "removed_at": None,
               "missed_runs": 0, "first_seen_at": previous.get("first_seen_at") or now,
               "changed_at": previous.get("changed_at") if outcome == "unchanged" else now,
               "body_hash": body_hash(body) if body is not None else previous.get("body_hash")}
        upsert_row(db, "pages", row, pk="url")
        version = save_version(db, page, body, previous.get("version"), now, clean_page, links)
        update_row(db, "pages", {"url": page["url"]}, {"version": version})
        if projects is not None:
            _replace_projects(db, page["url"], site_id, projects, page.get("extractor_version"), now)
    return outcome


def touch_page(db: Database, url: str, now: str, links: Links | None = None) -> None:
    """Record that an unchanged page (304 or identical body) was seen again, with its projects; keep `links`, read
    again from its raw body, with its current version when that has none."""
    with write_transaction(db):
        if links is not None:
            keep_links(db, url, links)
        db.execute("update pages set fetched_at = ?, last_seen_at = ?, removed_at = null, missed_runs = 0 "
                   "where url = ?", [now, now, url])
        db.execute("update projects set last_seen_at = ?, removed_at = null where page_url = ?", [now, url])


def mark_removed(db: Database, urls: list[str], now: str) -> int:
    """Flag pages as removed, and their projects with them; rows stay. Return how many pages were newly flagged."""
    flagged = 0
    with write_transaction(db):
        for url in urls:
            flagged += db.execute("update pages set removed_at = ? where removed_at is null and url = ?",
                                  [now, url]).rowcount
            db.execute("update projects set removed_at = ? where removed_at is null and page_url = ?", [now, url])
    return flagged


def store_extraction(db: Database, url: str, site_id: str, record: dict[str, Any], seen_at: str,
                     text: str | None = None) -> None:
    """Replace a stored page's extracted fields and projects with a new extractor's record (no fetch involved), and
    its main text with `text` when the page was cleaned again from its raw body."""
    with write_transaction(db):
        title = {"title": record["title"]} if record.get("title") else {}
        if text is not None:
            title |= {"text": text, "content_hash": content_hash(text)}
        update_row(db, "pages", {"url": url}, {key: record.get(key) for key in ("published", "updated", "extractor_version")}
                   | {"is_project_page": int(bool(record.get("is_project_page")))} | title)
        _replace_projects(db, url, site_id, record.get("projects") or [], record.get("extractor_version"), seen_at)
        db.execute("update projects set removed_at = (select removed_at from pages where url = ?) "
                   "where page_url = ? and removed_at is null", [url, url])  # projects retired above stay retired


def _exists(db: Database, table: str, pk: str, value: Any) -> bool:
    """Whether a row with this primary key exists."""
    return bool(db.execute(f"select 1 from [{table}] where [{pk}] = ?", [value]).fetchone())


def _replace_projects(db: Database, page_url: str, site_id: str, projects: list[dict[str, Any]],
                      extractor_version: str | None, now: str) -> None:
    """Make the page's project rows, roles and contacts match `projects`, keeping first_seen_at and when facts changed.

    A project no longer found is flagged removed when the same extractor version made it (the page stopped
    describing it), and deleted when an older extractor made it (an artefact of the old rules).
    """
    known = {row[0]: row[1:] for row in db.execute(
        "select id, first_seen_at, changed_at, facts_hash, extractor_version from projects where page_url = ?",
        [page_url])}
    site = get_row(db, "sites", "id", site_id) or {}
    keep: set[str] = set()
    seen_titles: dict[str, int] = {}
    for project in projects:
        title = project.get("title") or ""
        index = seen_titles[slugify(title)] = seen_titles.get(slugify(title), -1) + 1
        pid = project_id(page_url, title, index)
        keep.add(pid)
        _delete_roles_and_contacts(db, pid)
        first_seen, changed_at, old_facts, _ = known.get(pid, (now, now, None, None))
        facts = hashlib.sha1(json.dumps(project, sort_keys=True, default=str).encode()).hexdigest()
        owner = project.get("owner")
        upsert_row(db, "projects", {
            "id": pid, "title": title, "summary": project.get("summary"),
            "start_date": project.get("start"), "end_date": project.get("end"),
            "start_year": _year(project.get("start")), "end_year": _year(project.get("end")),
            "active_years": json.dumps([str(y) for y in active_years(project.get("start"), project.get("end"))]),
            "search_text": search_words(project, site),
            "period_evidence": project.get("period_evidence"),
            "budget_sek": project.get("budget_sek"), "budget_evidence": project.get("budget_evidence"),
            "owner_id": _store_organisation(db, owner) if owner else None,
            "municipality": site.get("name") if site.get("kind") == "municipality" else None,
            "county": site.get("county"), "page_url": page_url, "site_id": site_id,
            "extractor_version": extractor_version,
            "first_seen_at": first_seen or now, "last_seen_at": now, "removed_at": None,
            "changed_at": changed_at if facts == old_facts else now, "facts_hash": facts,
        }, pk="id")
        for role, orgs in (("funder", project.get("funders") or []), ("partner", project.get("partners") or []),
                           ("owner", [owner] if owner else [])):
            for org in orgs:
                upsert_row(db, "project_organisations", {
                    "project_id": pid, "organisation_id": _store_organisation(db, org), "role": role,
                    "mention": org.get("mention"), "evidence": org.get("evidence"),
                }, pk=("project_id", "organisation_id", "role"))
        for contact in [c for c in project.get("contacts") or [] if not is_suppressed(c)]:
            key = "\n".join(str(contact.get(k) or "") for k in ("name", "email", "phone", "role"))
            upsert_row(db, "contacts", {
                "id": hashlib.sha1(f"{pid}\n{key}".encode()).hexdigest()[:16], "project_id": pid,
                **{k: contact.get(k) for k in ("name", "role", "email", "phone", "phone_e164", "evidence")},
            }, pk="id")
    for stale in set(known) - keep:
        if known[stale][3] == extractor_version:
            db.execute("update projects set removed_at = ? where id = ? and removed_at is null", [now, stale])
        else:
            _delete_roles_and_contacts(db, stale)
            db.execute("delete from project_sources where source_id = ?", [stale])
            db.execute("update projects set merged_into = null where merged_into = ?", [stale])
            db.execute("delete from projects where id = ?", [stale])


def _delete_roles_and_contacts(db: Database, pid: str) -> None:
    """Remove a project's role and contact rows (before they are written again, or with the project)."""
    db.execute("delete from project_organisations where project_id = ?", [pid])
    db.execute("delete from contacts where project_id = ?", [pid])


def _store_organisation(db: Database, org: dict[str, Any]) -> str:
    """Upsert an organisation by its canonical id (or a slug of its name); return the id."""
    org_id = org.get("id") or slugify(org.get("name") or org.get("mention") or "")
    name = org.get("name") or org.get("mention")
    source = source_for(org_id, name, org.get("mention"))
    row = {"id": org_id, "name": name, "kind": org.get("kind"), "kommunkod": org.get("kommunkod"),
           "funding_source_id": source.id if source else None}
    upsert_row(db, "organisations", {k: v for k, v in row.items() if v is not None}, pk="id")
    return org_id


def prune_organisations(db: Database) -> int:
    """Delete organisations no project refers to any more (after re-extraction); return how many."""
    with write_transaction(db):
        cursor = db.execute("delete from organisations where id not in (select organisation_id from "
                            "project_organisations) and id not in (select owner_id from projects where owner_id is not null)")
    return cursor.rowcount


def record_error(db: Database, url: str, site_id: str | None, kind: str, message: str, now: str,
                 run_id: int | None = None) -> None:
    """Log a page that could not be fetched or read."""
    with write_transaction(db):
        db.table("crawl_errors").insert({"url": url, "site_id": site_id, "kind": kind, "message": message,
                                         "occurred_at": now, "run_id": run_id})
