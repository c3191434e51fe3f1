"""Swedish search: trigram indexes queried with Snowball stems, measured on tests/files/search_examples.json."""
from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from conftest import TESTS, inprocess_datasette
from pipelines.store import open_archive
from scraper.datasette_plugins.kommunarkiv_search import fts_query

EXAMPLES = json.loads((TESTS / "files" / "search_examples.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive whose pages are the examples' texts, and one project per example too."""
    path = tmp_path_factory.mktemp("search") / "archive.db"
    db = open_archive(path)
    db.table("sites").insert({"id": "2523", "name": "Gällivare kommun", "kind": "municipality"})
    db.table("pages").insert_all({"url": f"https://example.se/{i}", "site_id": "2523", "title": f"Sida {i}",
                                  "text": example["text"]} for i, example in enumerate(EXAMPLES))
    db.table("projects").insert_all({"id": str(i), "title": example["text"], "page_url": f"https://example.se/{i}",
                                     "site_id": "2523"} for i, example in enumerate(EXAMPLES))
    db.close()
    return path


def search(datasette, query: str) -> list[dict]:
    """Rows of the one-box `search` query."""
    response = asyncio.run(datasette.client.get("/archive/search.json", params={"q": query, "_shape": "objects"}))
    assert response.status_code == 200, response.text
    return response.json()["rows"]


def test_examples_are_enough() -> None:
    assert len(EXAMPLES) >= 20
    assert all(example["query"] and example["text"] and example["phenomenon"] for example in EXAMPLES)


def test_search_recall_on_swedish_examples(archive: Path) -> None:
    datasette = inprocess_datasette(archive)
    missed = []
    for i, example in enumerate(EXAMPLES):
        rows = search(datasette, example["query"])
        found = {(row["kind"], row["url"]) for row in rows}
        if not {("project", f"https://example.se/{i}"), ("page", f"https://example.se/{i}")} <= found:
            missed.append(example["query"])
    recall = 1 - len(missed) / len(EXAMPLES)
    assert recall >= 0.95, f"recall {recall:.0%}, missed {missed}"


def test_projects_come_first_and_excerpts_mark_the_match(archive: Path) -> None:
    rows = search(inprocess_datasette(archive), "socialfond")
    assert [row["kind"] for row in rows] == ["project", "page"]
    assert "[socialfond]en" in rows[0]["excerpt"]


def test_every_word_must_occur(archive: Path) -> None:
    datasette = inprocess_datasette(archive)
    assert len(search(datasette, "kommunen")) > len(search(datasette, "kommunen näringsliv")) > 0


@pytest.mark.parametrize(("words", "query"), [
    ("Socialfonden", '"socialfond"'),
    ("kommuner i Norrbotten", '"kommun" AND "norrbot"'),
    ("ÖVERTORNEÅ", '"övertorneå"'),
    ("EU i", '""'),
    ("", '""'),
    ('"; drop table', '"drop" AND "tabl"'),
])
def test_fts_query(words: str, query: str) -> None:
    assert fts_query(words) == query


def test_full_text_indexes_use_trigrams_and_are_not_rebuilt(archive: Path) -> None:
    db = open_archive(archive)
    before = db.execute("select count(*) from pages_fts_data").fetchone()[0]
    for table in ("pages_fts", "projects_fts"):
        assert "tokenize='trigram'" in db.table(table).schema
    db = open_archive(archive)
    assert db.execute("select count(*) from pages_fts_data").fetchone()[0] == before


def test_table_search_box_uses_the_trigram_index(archive: Path) -> None:
    response = asyncio.run(inprocess_datasette(archive).client.get(
        "/archive/pages.json", params={"_search": "kapacitet", "_shape": "objects"}))
    assert [row["text"] for row in response.json()["rows"]] == [EXAMPLES[1]["text"]]


def test_projects_are_found_by_funder_partner_owner_and_place(tmp_path: Path) -> None:
    from test_personal_data import build

    datasette = inprocess_datasette(build(tmp_path / "archive.db"))
    esf = "Framtidens arbetsmarknad i Malmfälten"
    for query in ("ESF", "socialfond", "Svenska ESF-rådet", "Europeiska socialfonden"):
        assert [row["title"] for row in search(datasette, query) if row["kind"] == "project"] == [esf], query
    for query, title in (("Arbetsförmedlingen", esf), ("Hälsingebygden", "Mötesplatser i Hälsingebygden"),
                         ("Haparanda", "Gränslös turism i Tornedalen"), ("Gävleborgs län", "Digital byapp för Järvsö")):
        assert title in {row["title"] for row in search(datasette, query) if row["kind"] == "project"}, query
