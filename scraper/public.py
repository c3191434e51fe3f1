"""Personal data at publish time: the public edition leaves contact details out; the suppression list is applied."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlite_utils import Database

from pipelines.extract.contact_details import find_emails, find_phones
from pipelines.store import open_archive, open_archive_readonly, schema
from pipelines.suppress import is_suppressed, suppressed

WITHHELD = "[…]"
# Free text that may quote a contact's name, e-mail or phone.
SCRUBBED_COLUMNS = {"pages": ["title", "text"], "page_versions": ["title", "text"], "projects": ["title", "summary", "period_evidence", "budget_evidence"],
                    "project_organisations": ["mention", "evidence"]}


def personal_columns() -> dict[str, list[str]]:
    """Columns the schema marks as personal data, per table."""
    return {name: spec["personal"] for name, spec in schema()["tables"].items() if spec.get("personal")}


def scrubber(values: Iterable[str], contact_details: bool) -> Callable[[str | None], str | None]:
    """A text function replacing `values` (names, e-mails; any case) and, with contact_details, every e-mail and phone."""
    words = sorted({v for v in values if v}, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, words)), re.IGNORECASE) if words else None

    def scrub(text: str | None) -> str | None:
        if not text:
            return text
        if contact_details:
            for _, written in find_emails(text) + find_phones(text):
                text = text.replace(written, WITHHELD)
        return pattern.sub(WITHHELD, text) if pattern else text

    return scrub


def scrub_texts(db: Database, scrub: Callable[[str | None], str | None]) -> None:
    """Apply `scrub` to the free-text columns; full-text indexes follow through their triggers."""
    db.conn.create_function("kommunarkiv_scrub", 1, scrub)
    with db.atomic():
        for table, columns in SCRUBBED_COLUMNS.items():
            for column in columns:
                db.execute(f"update [{table}] set [{column}] = kommunarkiv_scrub([{column}]) "
                           f"where [{column}] is not kommunarkiv_scrub([{column}])")


def pending_suppressions(db: Database) -> int:
    """How many stored contacts the suppression list names (0 when the list is empty)."""
    if not suppressed() or "contacts" not in db.table_names():
        return 0
    return sum(1 for row in db.table("contacts").rows if is_suppressed(row))


def honour_suppressions(db: Database) -> int:
    """Delete suppressed contacts and blank their names and e-mails in the texts; return contacts deleted."""
    entries = suppressed()
    if not entries:
        return 0
    found = [row for row in db.table("contacts").rows if is_suppressed(row)]
    with db.atomic():
        db.execute(f"delete from contacts where id in ({', '.join('?' * len(found))})", [row["id"] for row in found])
    details = {row[key] for row in found for key in ("name", "email", "phone") if row[key]}
    scrub_texts(db, scrubber(entries | details, contact_details=False))
    return len(found)


def public_copy(source: Path, directory: Path) -> Path:
    """A copy of the archive (same file name) without personal columns, contact details in texts blanked."""
    target = directory / source.name
    target.unlink(missing_ok=True)
    archive = open_archive_readonly(source)
    archive.execute("vacuum into ?", [str(target)])
    archive.close()
    db = open_archive(target)  # the copy, brought up to the declared shape
    names = [row[0] for row in db.execute("select distinct name from contacts where name is not null")]
    honour_suppressions(db)
    scrub_texts(db, scrubber(names, contact_details=True))
    for table, columns in personal_columns().items():
        db.table(table).transform(drop=set(columns))
    rebuild_fts(db)
    db.execute("pragma journal_mode = delete")  # one self-contained file, served immutable
    db.vacuum()
    db.close()
    return target


def rebuild_fts(db: Database) -> None:
    """Rebuild and optimise every full-text index from its table, so no blanked text survives in the index's
    segments (FTS5 keeps deleted terms in its shadow tables until segments merge)."""
    for table in db.table_names():
        fts = db.table(table).detect_fts()
        if fts:
            db.execute(f"insert into [{fts}]([{fts}]) values ('rebuild')")
            db.execute(f"insert into [{fts}]([{fts}]) values ('optimize')")
