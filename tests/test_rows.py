"""Single-row SQL helpers behave as sqlite-utils' Table methods do for one row."""
from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from pipelines.rows import get_row, insert_row, update_row, upsert_row


@pytest.fixture
def db() -> Database:
    db = Database(memory=True)
    db.execute("create table t (a text, b integer, c text, d text, primary key (a, b))")
    return db


def test_upsert_inserts_then_updates_only_the_given_columns(db: Database) -> None:
    upsert_row(db, "t", {"a": "x", "b": 1, "c": "first", "d": "kept"}, pk=("a", "b"))
    upsert_row(db, "t", {"a": "x", "b": 1, "c": "second"}, pk=("a", "b"))
    upsert_row(db, "t", {"a": "x", "b": 2}, pk=("a", "b"))
    assert db.execute("select * from t order by b").fetchall() == [("x", 1, "second", "kept"), ("x", 2, None, None)]
    assert db.table("t").get(("x", 1)) == {"a": "x", "b": 1, "c": "second", "d": "kept"}


def test_update_get_and_insert(db: Database) -> None:
    insert_row(db, "t", {"a": "y", "b": 3, "c": None})
    update_row(db, "t", {"a": "y", "b": 3}, {"c": "set", "d": "too"})
    update_row(db, "t", {"a": "nobody", "b": 0}, {"c": "lost"})  # no row: nothing happens
    assert get_row(db, "t", "a", "y") == {"a": "y", "b": 3, "c": "set", "d": "too"}
    assert get_row(db, "t", "a", "nobody") is None
    with pytest.raises(sqlite3.IntegrityError):
        insert_row(db, "t", {"a": "y", "b": 3})
    with pytest.raises(sqlite3.ProgrammingError):
        upsert_row(db, "t", {"a": "z", "b": 4, "c": ["a list"]}, pk=("a", "b"))
