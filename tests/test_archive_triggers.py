"""The archive's triggers: full-text entries rewritten only when their text changes; the projects' derived
role names (owner, funding sources, funders as named, partners) kept current for project_overview."""
from __future__ import annotations

import json
from pathlib import Path

from sqlite_utils import Database

from pipelines.store import ensure_db_shape, open_archive, store_page, store_site, touch_page
from test_publish import ARCHIVE, ESF, NOW

SITE, PAGE, PROJECTS = ARCHIVE[0]
LATER = "2024-06-01T08:00:00+00:00"


def fts_segments(db: Database, table: str) -> list[tuple]:
    """The rows of a full-text index's storage: any rewrite of an entry changes them."""
    return db.execute(f"select id, block from [{table}_fts_data] order by id").fetchall()


ESF_SOURCE = "Europeiska socialfonden (ESF)"  # funders_canonical.yml's name for the fund
LEADER_SOURCE = "Jordbruksfonden för landsbygdsutveckling (EJFLU, Leader)"


def overview(db: Database) -> dict[str, tuple]:
    """project_overview's owner, funding sources and partners by project title."""
    return {title: (owner, json.loads(funders), json.loads(partners)) for title, owner, funders, partners in
            db.execute("select title, owner, funders, partners from project_overview")}


def funders_named(db: Database, title: str) -> list[str]:
    return json.loads(db.execute("select funders_named from project_overview where title = ?", [title]).fetchone()[0])


def archive(tmp_path: Path) -> Database:
    db = open_archive(tmp_path / "archive.db")
    for site, page, projects in ARCHIVE:
        store_site(db, site, NOW)
        store_page(db, site["id"], page, projects, NOW)
    return db


def test_touching_an_unchanged_page_leaves_its_full_text_entry(tmp_path: Path) -> None:
    db = archive(tmp_path)
    pages, projects = fts_segments(db, "pages"), fts_segments(db, "projects")
    touch_page(db, PAGE["url"], LATER)
    store_page(db, SITE["id"], PAGE, PROJECTS, LATER)  # a 200 with the same text: rows rewritten, text not
    assert (fts_segments(db, "pages"), fts_segments(db, "projects")) == (pages, projects)
    assert db.execute("select fetched_at from pages where url = ?", [PAGE["url"]]).fetchone()[0] == LATER


def test_a_changed_text_is_searchable_and_the_old_one_gone(tmp_path: Path) -> None:
    db = archive(tmp_path)
    before = fts_segments(db, "pages")
    store_page(db, SITE["id"], {**PAGE, "text": "Gruvstadsparken rustas."}, PROJECTS, LATER)
    assert fts_segments(db, "pages") != before
    match = "select count(*) from pages_fts where pages_fts match ?"
    assert db.execute(match, ["gruvstadsparken"]).fetchone()[0] == 1
    assert db.execute(match, ["malmfälten"]).fetchone()[0] == 0
    db.execute("insert into pages_fts(pages_fts, rank) values ('integrity-check', 1)")  # raises if out of step


def test_overview_role_names_follow_the_roles(tmp_path: Path) -> None:
    db = archive(tmp_path)
    title = PROJECTS[0]["title"]
    assert overview(db)[title] == ("Gällivare kommun", [ESF_SOURCE], ["Arbetsförmedlingen"])
    assert overview(db)["Digital byapp för Järvsö"] == (None, [LEADER_SOURCE], [])
    leader = {**ARCHIVE[1][2][0]["funders"][0]}
    store_page(db, SITE["id"], PAGE, [{**PROJECTS[0], "funders": [ESF, leader], "partners": []}], LATER)
    assert overview(db)[title] == ("Gällivare kommun", [ESF_SOURCE, LEADER_SOURCE], [])
    db.table("organisations").update("esf", {"name": "ESF+"})
    assert funders_named(db, title) == ["ESF+", "Leader Hälsingebygden"]
    db.table("funding_sources").update("esf", {"name": "Europeiska socialfonden+ (ESF+)"})
    assert overview(db)[title][1] == ["Europeiska socialfonden+ (ESF+)", LEADER_SOURCE]
    db.table("organisations").upsert({"id": "gallivare-kommun", "name": "Gällivare"}, pk="id")
    assert overview(db)[title][0] == "Gällivare"


def test_an_older_archive_gets_its_role_names_filled(tmp_path: Path) -> None:
    db = archive(tmp_path)
    for (name,) in db.execute("select name from sqlite_master where type = 'trigger' and name like '%derived%'"
                              ).fetchall():
        db.execute(f"drop trigger [{name}]")
    db.execute("update projects set owner_name = null, funder_names = null, funders_named = null, "
               "partner_names = null, source_count = null")
    db.close()
    db = open_archive(tmp_path / "archive.db")
    assert overview(db)[PROJECTS[0]["title"]] == ("Gällivare kommun", [ESF_SOURCE], ["Arbetsförmedlingen"])


def test_reopening_recreates_nothing(tmp_path: Path) -> None:
    archive(tmp_path).close()
    db = Database(tmp_path / "archive.db")
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    ensure_db_shape(db)
    assert [s for s in statements if s.lstrip().upper().startswith(("CREATE TRIGGER", "DROP", "UPDATE", "INSERT"))
            and "sqlite_master" not in s] == []
