"""The extractor's version follows its rule files, and `reextract` retires projects the current rules no longer find.

What this proves: editing a pattern or cue file (or the model) gives another EXTRACTOR_VERSION; re-extracting a kept
page with the real extractor keeps the project its rules find and takes away one an older rule set had invented
(deleted when another version made it, flagged removed when the same version did). It does not prove that any rule
change is an improvement.
"""
from __future__ import annotations

import shutil

from pipelines.clean import clean_html
from pipelines.extract.engine import EXTRACTOR_VERSION, Extractor
from pipelines.reextract import reextract_archive
from pipelines.store import open_archive, store_page, store_site
from pipelines.versions import PACKAGE, extractor_version, rule_files

PAGE = """<html><head><title>Bygdeliv i Norrby</title></head><body><main><h1>Bygdeliv i Norrby</h1>
<p>Projektet Bygdeliv i Norrby drivs av Lessebo kommun och finansieras av Region Kronoberg. Projektet pågår
2023–2025 och ska stärka föreningslivet i byarna.</p></main></body></html>"""


def _copy_rules(target):
    """A copy of the package's rule files under target, laid out as in the package."""
    for path in rule_files():
        copy = target / path.relative_to(PACKAGE)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
    return target


def test_the_version_is_the_package_version_with_a_digest_of_the_rule_files():
    names = {p.relative_to(PACKAGE).as_posix() for p in rule_files()}
    assert {"patterns/funders.jsonl", "extract/data/role_cues.json", "extract/pipeline.cfg",
            "models/ner_sv/meta.json"} <= names
    release, digest = EXTRACTOR_VERSION.split("+")
    assert release and len(digest) == 12 and EXTRACTOR_VERSION == extractor_version()


def test_the_version_changes_when_a_rule_file_changes(tmp_path):
    one, two = _copy_rules(tmp_path / "one"), _copy_rules(tmp_path / "two")
    assert extractor_version(one) == extractor_version(two) == EXTRACTOR_VERSION
    cues = two / "extract" / "data" / "role_cues.json"
    cues.write_text(cues.read_text("utf-8").replace('"max_gap"', '"max_gap" ', 1), encoding="utf-8")
    assert extractor_version(two) != extractor_version(one)


def _archive_with_an_invented_project(tmp_path, version):
    """An archive holding the page (raw body kept) with the project the rules find and one they do not."""
    db = open_archive(tmp_path / "archive.db")
    url = "https://www.example.se/bygdeliv"
    record = next(Extractor().extract([clean_html(PAGE, url)]))
    found = record["projects"]
    store_site(db, {"id": "example", "name": "Exempel kommun", "kind": "other", "base_url": "https://www.example.se/",
                    "host": "www.example.se"}, "2026-01-01T00:00:00Z")
    invented = {"title": "Ett projekt som gamla regler hittade", "funders": [], "partners": [], "contacts": []}
    store_page(db, "example", {"url": url, "title": "Bygdeliv i Norrby", "text": "Bygdeliv",
                               "is_project_page": 1, "extractor_version": version},
               found + [invented], "2026-01-01T00:00:00Z", body=PAGE.encode())
    return db, found


def test_reextract_deletes_projects_an_older_rule_set_found_and_the_current_one_does_not(tmp_path):
    db, found = _archive_with_an_invented_project(tmp_path, "0.0.1+oldrules")
    assert db.execute("select count(*) from projects").fetchone()[0] == 2
    reextract_archive(db, Extractor())
    rows = list(db.query("select title, extractor_version, removed_at from projects"))
    assert [r["title"] for r in rows] == [p["title"] for p in found] == ["Bygdeliv i Norrby"]
    assert {r["extractor_version"] for r in rows} == {EXTRACTOR_VERSION}
    assert all(r["removed_at"] is None for r in rows)


def test_reextract_retires_a_project_the_same_rules_no_longer_find(tmp_path):
    db, _ = _archive_with_an_invented_project(tmp_path, EXTRACTOR_VERSION)
    reextract_archive(db, Extractor())
    rows = {r["title"]: r["removed_at"] for r in db.query("select title, removed_at from projects")}
    assert rows["Bygdeliv i Norrby"] is None
    assert rows["Ett projekt som gamla regler hittade"] is not None
