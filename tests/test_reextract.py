"""`kommunarkiv reextract` rebuilds projects from the raw pages kept in the archive, without fetching anything.

What this proves: the kept raw bodies are enough to reproduce every project, role and contact exactly
(after they are deleted), no request reaches the sites, and whatever a new extractor returns replaces the
old rows with its version recorded. It does not prove that a real rule change improves anything.
"""
from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from conftest import REPO, archive_facts
from pipelines.store import open_archive
from pipelines.reextract import reextract_archive


@pytest.fixture
def archive_copy(crawled, tmp_path):
    """A copy of the crawled sample archive (SQLite's backup API copies WAL content too)."""
    copy = tmp_path / "archive.db"
    source, target = sqlite3.connect(crawled["db"]), sqlite3.connect(copy)
    source.backup(target)
    source.close(), target.close()
    return copy


def test_reextract_rebuilds_deleted_projects_from_kept_pages_without_fetching(archive_copy, sample_servers):
    before = archive_facts(archive_copy)
    assert before["projects"] and before["roles"] and before["contacts"]
    conn = sqlite3.connect(archive_copy)
    with conn:
        conn.execute("delete from contacts")
        conn.execute("delete from project_organisations")
        conn.execute("delete from projects")
    conn.close()
    requests_before = sum(len(server.requests) for server in sample_servers.values())
    result = subprocess.run([sys.executable, "-m", "scraper", "reextract", "--db", str(archive_copy)],
                            capture_output=True, text=True, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Re-extracted" in result.stderr
    assert archive_facts(archive_copy) == before
    assert sum(len(server.requests) for server in sample_servers.values()) == requests_before


class RenamingExtractor:
    """A stand-in for an improved extractor: one project per page, named after the page, version "test-2"."""

    def extract(self, pages):
        for page in pages:
            yield {"is_project_page": True, "extractor_version": "test-2", "published": None, "updated": None,
                   "projects": [{"title": f"Omläst: {page.title}", "funders": [], "partners": [], "contacts": []}]}


def test_reextract_replaces_projects_with_the_new_extractors_output_and_version(archive_copy):
    db = open_archive(archive_copy)
    pages = db.execute("select count(*) from pages").fetchone()[0]
    rebuilt, projects = reextract_archive(db, RenamingExtractor())
    titles = {row[0] for row in db.execute("select title from projects")}
    versions = {row[0] for row in db.execute("select extractor_version from projects")}
    page_versions = {row[0] for row in db.execute("select extractor_version from pages")}
    db.close()
    assert rebuilt == pages == projects
    assert versions == page_versions == {"test-2"}
    assert all(title.startswith("Omläst: ") for title in titles)
