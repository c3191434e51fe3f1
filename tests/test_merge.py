"""One row per real project: descriptions on several pages and sites merged, explainably and reversibly."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipelines.merge import Description, match, merge_projects, unmerge_projects
from pipelines.store import open_archive, recount, store_extraction, store_page, store_site

TESTS = Path(__file__).parent
NOW = "2024-05-02T08:00:00+00:00"
ESF = {"name": "Europeiska socialfonden", "mention": "ESF", "kind": "fund", "evidence": "Projektet får stöd från ESF."}
AGENCY = {"name": "Svenska ESF-rådet", "mention": "Svenska ESF-rådet", "kind": "agency",
          "evidence": "Svenska ESF-rådet finansierar projektet."}


def site(kommunkod: str, name: str, county: str = "Norrbottens län") -> dict:
    return {"id": kommunkod, "name": name, "kind": "municipality", "kommunkod": kommunkod, "county": county,
            "base_url": f"https://{kommunkod}.example", "host": f"{kommunkod}.example"}


def org(name: str) -> dict:
    return {"name": name, "mention": name, "kind": "municipality", "evidence": f"{name} deltar."}


@pytest.fixture
def archive(tmp_path: Path):
    """Invented descriptions: a listing and an own page on one site, a partner's page, a phase 2, a namesake."""
    db = open_archive(tmp_path / "archive.db")
    a, b, c = site("9001", "Aby kommun"), site("9002", "Bby kommun"), site("9003", "Cby kommun", "Skåne län")
    for s in (a, b, c):
        store_site(db, s, NOW)
    pages = [
        (a, "https://9001.example/projekt", [
            {"title": "Arbetsbron", "funders": [AGENCY], "start": "2023-09"},
            {"title": "Arbetsbron etapp 2", "funders": [ESF], "start": "2026-09", "end": "2028-08"}]),
        (a, "https://9001.example/projekt/arbetsbron", [
            {"title": "Projektet Arbetsbron", "funders": [ESF], "partners": [org("Bby kommun")],
             "start": "2023-09-01", "end": "2026-08-31", "summary": "Vägar till arbete."}]),
        (b, "https://9002.example/arbetsbron", [
            {"title": "Arbetsbron", "owner": org("Aby kommun"), "funders": [ESF], "start": "2023-09",
             "end": "2026-08"}]),
        (c, "https://9003.example/arbetsbron", [{"title": "Arbetsbron", "funders": [ESF], "start": "2024"}]),
    ]
    for s, url, projects in pages:
        store_page(db, s["id"], {"url": url, "title": projects[0]["title"], "text": url, "is_project_page": 1},
                   projects, NOW)
    yield db
    db.close()


def groups(db) -> dict[str, set[tuple[str, str]]]:
    """Each project of project_overview: its (site, title) sources."""
    rows = db.execute("select s.project_id, s.site_id, p.title from project_sources s join projects p "
                      "on p.id = s.source_id").fetchall()
    found: dict[str, set[tuple[str, str]]] = {}
    for project, site_id, title in rows:
        found.setdefault(project, set()).add((site_id, title))
    return found


def test_listing_own_page_and_partner_site_are_one_project(archive) -> None:
    counts = merge_projects(archive)
    assert counts["descriptions"] == 5 and counts["projects"] == 3
    merged = [g for g in groups(archive).values() if len(g) > 1]
    assert merged == [{("9001", "Arbetsbron"), ("9001", "Projektet Arbetsbron"), ("9002", "Arbetsbron")}]
    overview = archive.execute("select title, funders, sources, active_years from project_overview "
                               "where sources = 3").fetchall()
    assert len(overview) == 1
    title, funders, sources, years = overview[0]
    assert title == "Projektet Arbetsbron"  # the own page, the richest description, leads
    assert json.loads(funders) == ["Europeiska socialfonden (ESF)"]  # ESF and its managing authority: one source
    last = max(2026, datetime.now(timezone.utc).year)  # the listing gives no end: it runs to this year
    assert json.loads(years) == [str(y) for y in range(2023, last + 1)]  # strings: arraycontains compares text


def test_merges_say_which_rule_and_can_be_undone(archive) -> None:
    merge_projects(archive)
    rules = dict(archive.execute("select site_id || ' ' || title, rule from project_sources").fetchall())
    assert rules["9001 Arbetsbron"] == "same-site-title"
    assert rules["9002 Arbetsbron"] == "cross-site-title-actors"
    assert rules["9001 Arbetsbron etapp 2"] == rules["9003 Arbetsbron"] == "own"
    explanation = archive.execute("select explanation from project_sources where site_id = '9002'").fetchone()[0]
    assert "aby-kommun" in explanation
    assert unmerge_projects(archive) == 2
    assert archive.execute("select count(*) from project_overview").fetchone()[0] == 5
    merge_projects(archive)
    assert archive.execute("select count(*) from project_overview").fetchone()[0] == 3


def test_search_text_of_a_merged_project_has_every_source_s_actors(archive) -> None:
    merge_projects(archive)
    text = archive.execute("select search_text from projects where title = 'Projektet Arbetsbron'").fetchone()[0]
    assert {"Bby kommun", "Aby kommun", "socialfond", "Svenska ESF-rådet"} <= set(text.splitlines())


def test_near_misses_stay_apart() -> None:
    base = Description("a", "Leder i Skogen", "1", "X län", "2021", "2023", frozenset({"ejflu"}))
    assert match(base, Description("b", "Leder i Skogen etapp 2", "1", "X län", "2024")).rule == "phase-differs"
    assert match(base, Description("c", "Leder i Skogen", "2", "Y län", "2021", None, frozenset({"ejflu"}))
                 ).rule == "no-common-actor"
    assert match(base, Description("d", "Leder i Skogen", "1", "X län", "2015", "2016")).rule == "periods-disjoint"
    assert match(base, Description("e", "Leder i Skogen", "1", "X län", None, None, frozenset({"esf"}))
                 ).rule == "funders-differ"
    assert match(base, Description("f", "Leder i Skogen", "1", "X län")).same


def test_labelled_pairs_meet_the_bar() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("merge_pairs", TESTS.parent / "benchmarks" / "merge_pairs.py")
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    result = benchmark.evaluate()
    assert result["precision"] >= 0.95 and result["recall"] >= 0.90, result["mistakes"]
    kinds = {pair["kind"] for pair in json.loads((TESTS / "files" / "merge_pairs.json").read_text("utf-8"))["pairs"]}
    assert {"phase", "same-name-elsewhere", "listing-own-page", "cross-site"} <= kinds


@pytest.mark.slow
def test_sample_archive_merges_listing_and_own_page_and_two_sites(crawled) -> None:
    conn = sqlite3.connect(crawled["db"])
    rows = conn.execute("select p.title, count(*), group_concat(distinct s.site_id), group_concat(s.page_url, ' ') "
                        "from project_sources s join project_overview p on p.id = s.project_id "
                        "group by s.project_id having count(*) > 1").fetchall()
    conn.close()
    by_title = {title: (n, sites, urls) for title, n, sites, urls in rows}
    landa_norr = by_title["Landa norr"]
    assert landa_norr[0] == 2 and landa_norr[1] == "2523"
    assert "utvecklingsprojekt.html" in landa_norr[2] and "utvecklingsprojekt/landa-norr.html" in landa_norr[2]
    byarna = next(v for t, v in by_title.items() if t.startswith("Byarnas mötesplatser"))
    assert byarna[0] == 2 and set(byarna[1].split(",")) == {"2518", "2521"}


def test_undoing_merges_gives_each_description_its_own_search_words(archive) -> None:
    merge_projects(archive)
    unmerge_projects(archive)
    lead = archive.execute("select search_text from projects where title = 'Projektet Arbetsbron'").fetchone()[0]
    assert "Bby kommun" in lead.splitlines()
    listing, years = archive.execute("select search_text, active_years from projects "
                                     "where title = 'Arbetsbron' and site_id = '9001'").fetchone()
    assert "Bby kommun" not in listing.splitlines() and "Svenska ESF-rådet" in listing.splitlines()
    this_year = datetime.now(timezone.utc).year
    assert json.loads(years) == [str(y) for y in range(2023, this_year + 1)]  # open end: runs to this year


def test_the_overviews_precomputed_columns_follow_merges(archive) -> None:
    columns = "owner, funders, funders_named, partners, sources"

    def overview() -> dict[str, tuple]:
        return {row[0]: row[1:] for row in archive.execute(f"select id, {columns} from project_overview")}

    merge_projects(archive)
    merged = overview()
    lead = next(pid for pid, row in merged.items() if row[-1] == 3)
    assert json.loads(merged[lead][3]) == ["Bby kommun"]  # a partner named only on the lead's own page
    assert len(json.loads(merged[lead][2])) == 2  # ESF and the agency, as the pages name them
    unmerge_projects(archive)
    assert overview()[lead][-1] == 1 and len(overview()) == 5
    for (name,) in archive.execute("select name from sqlite_master where type = 'trigger' and name like "
                                   "'projects_derived_%'").fetchall():
        archive.execute(f"drop trigger [{name}]")
    merge_projects(archive)
    path = archive.execute("pragma database_list").fetchone()[2]
    archive.close()
    recomputed = open_archive(path)  # recreating the triggers recomputes every row from scratch
    try:
        rows = {row[0]: row[1:] for row in recomputed.execute(f"select id, {columns} from project_overview")}
    finally:
        recomputed.close()
    assert rows == merged


def kept_counts(db) -> dict[tuple[str, str], int]:
    """project_overview's facet counts as the archive keeps them (facet_counts; a count fallen to 0 stays)."""
    return {(facet, value): n for facet, value, n in
            db.execute("select facet, value, n from facet_counts where view = 'project_overview' and n > 0")}


def counted(db) -> dict[tuple[str, str], int]:
    """The same counts, counted row by row from project_overview: what the kept ones must equal."""
    counts: dict[tuple[str, str], int] = {}
    rows = [dict(zip(("county", "municipality", "funders", "active_years", "start_date", "end_date"), row))
            for row in db.execute("select county, municipality, funders, active_years, start_date, end_date "
                                  "from project_overview")]
    for row in rows:
        pairs = [("county", row["county"]), ("municipality", row["municipality"]),
                 *{("funders", name) for name in json.loads(row["funders"] or "[]")},
                 *{("active_years", year) for year in json.loads(row["active_years"] or "[]")},
                 ("status", json.dumps([row["start_date"], row["end_date"]], separators=(",", ":")))]
        for pair in [p for p in pairs if p[1] is not None]:
            counts[pair] = counts.get(pair, 0) + 1
    for facet in ("county", "municipality", "funders", "active_years", "status"):
        counts["", facet] = len(rows)
    return counts


def test_kept_facet_counts_follow_store_merge_undo_and_retire(archive) -> None:
    assert kept_counts(archive) == counted(archive) and kept_counts(archive)["", "status"] == 5
    merge_projects(archive)
    assert kept_counts(archive) == counted(archive) and kept_counts(archive)["", "status"] == 3
    unmerge_projects(archive)
    assert kept_counts(archive) == counted(archive) and kept_counts(archive)["", "status"] == 5
    merge_projects(archive)
    url = "https://9001.example/projekt"
    page = {"url": url, "title": "Arbetsbron", "text": url + " ny", "is_project_page": 1}
    store_page(archive, "9001", page, [{"title": "Arbetsbron", "funders": [ESF], "start": "2022"}], NOW)
    assert archive.execute("select removed_at from projects where title = 'Arbetsbron etapp 2'").fetchone()[0]
    assert kept_counts(archive) == counted(archive)  # retired by the same extractor: kept, flagged removed
    store_extraction(archive, url, "9001", {"projects": [], "extractor_version": "next"}, NOW)
    assert archive.execute("select count(*) from projects where page_url = ?", [url]).fetchone()[0] == 0
    assert kept_counts(archive) == counted(archive)  # retired by a newer extractor: deleted
    archive.table("funding_sources").update("esf", {"name": "ESF+"})
    assert kept_counts(archive)["funders", "ESF+"] == counted(archive)["funders", "ESF+"] > 0
    assert kept_counts(archive) == counted(archive)
    merge_projects(archive)
    counts = kept_counts(archive)
    recount(archive, "project_overview")  # what a from-scratch count gives
    assert kept_counts(archive) == counts == counted(archive)


def test_an_older_archive_gets_its_facet_counts(archive) -> None:
    merge_projects(archive)
    expected = counted(archive)
    for (name,) in archive.execute("select name from sqlite_master where type = 'trigger' and name like "
                                   "'project_overview_counts_%'").fetchall():
        archive.execute(f"drop trigger [{name}]")
    archive.execute("drop table facet_counts")
    path = archive.execute("pragma database_list").fetchone()[2]
    archive.close()
    reopened = open_archive(path)
    try:
        assert kept_counts(reopened) == expected and expected["", "funders"] == 3
    finally:
        reopened.close()
