"""Personal data: the suppression list at crawl and publish time, and the public edition without contact details."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pipelines.store import content_hash, open_archive, store_page, store_site
from scraper.metadata import build_metadata
from scraper.public import public_copy
from scraper.publish import datasette_args, prepare
from test_publish import ARCHIVE, NOW

EMAIL = "anna.lind@gellivare.se"
CONTACT = {"name": "Bo Ek", "role": "Samordnare", "email": "bo.ek@ljusdal.se", "phone": "0651-180 00",
           "evidence": "Kontakt: Bo Ek, bo.ek@ljusdal.se, 0651-180 00"}


def build(path: Path) -> Path:
    """The test_publish archive, plus a page that names its contact in the text."""
    db = open_archive(path)
    for site, page, projects in ARCHIVE:
        if site["id"] == "2161":
            page = {**page, "text": page["text"] + " " + CONTACT["evidence"]}
            projects = [{**projects[0], "contacts": [CONTACT]}, *projects[1:]]
        store_site(db, site, NOW)
        store_page(db, site["id"], {**page, "content_hash": content_hash(page["text"])}, projects, NOW)
    db.close()
    return path


@pytest.fixture
def suppressions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty suppression list that the store and publisher read."""
    path = tmp_path / "suppressions.csv"
    path.write_text("email_or_name\n", "utf-8")
    monkeypatch.setenv("KOMMUNARKIV_SUPPRESSIONS", str(path))
    return path


def contacts(path: Path) -> list[tuple]:
    """(name, email) of every contact."""
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute("select name, email from contacts").fetchall())


def test_store_skips_suppressed_contacts(tmp_path: Path, suppressions: Path) -> None:
    suppressions.write_text(f"email_or_name\n{EMAIL.upper()}\n", "utf-8")
    assert contacts(build(tmp_path / "archive.db")) == [("Bo Ek", "bo.ek@ljusdal.se")]


def test_publishing_deletes_contacts_suppressed_after_the_crawl(tmp_path: Path, suppressions: Path) -> None:
    db = build(tmp_path / "archive.db")
    assert len(contacts(db)) == 2
    suppressions.write_text("email_or_name\n  bo   ek \n", "utf-8")
    assert prepare(db, public=False) == db
    assert contacts(db) == [("Anna Lind", EMAIL)]
    with sqlite3.connect(db) as conn:
        text = conn.execute("select text from pages where site_id = '2161'").fetchone()[0]
        assert "Bo Ek" not in text and "bo.ek@ljusdal.se" not in text
        assert conn.execute("select count(*) from pages_fts where pages_fts match '\"Bo Ek\"'").fetchone()[0] == 0


def test_public_copy_leaves_personal_data_out_and_keeps_roles(tmp_path: Path, suppressions: Path) -> None:
    source = build(tmp_path / "archive.db")
    (tmp_path / "public").mkdir()
    copy = public_copy(source, tmp_path / "public")
    assert copy.name == "archive.db" and copy != source
    with sqlite3.connect(copy) as conn:
        assert [row[1] for row in conn.execute("pragma table_info(contacts)")] == ["id", "project_id", "role"]
        assert sorted(row[0] for row in conn.execute("select role from contacts")) == ["Projektledare", "Samordnare"]
        assert "body_gz" not in [row[1] for row in conn.execute("pragma table_info(page_versions)")]
        texts = " ".join(row[0] for row in conn.execute("select text from pages union all select text from page_versions"))
        assert "@" not in texts and "Bo Ek" not in texts and "0651" not in texts
        assert "Två projekt med stöd från Leader Hälsingebygden." in texts
        assert conn.execute("select count(*) from pages_fts where pages_fts match '\"ljusdal.se\"'").fetchone()[0] == 0
    assert len(contacts(source)) == 2


def test_public_metadata_and_serve_arguments() -> None:
    contacts_meta = build_metadata("archive", public=True)["databases"]["archive"]["tables"]["contacts"]
    assert set(contacts_meta["columns"]) == {"id", "project_id", "role"}
    assert "public edition" in contacts_meta["description"]
    args = datasette_args(Path("/tmp/archive.db"), "127.0.0.1", 8001, public=True)
    assert args[1:3] == ["-i", "/tmp/archive.db"]
