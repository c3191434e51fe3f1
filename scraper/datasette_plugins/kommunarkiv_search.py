"""Datasette plugin: sv_match(words), the archive's Swedish search as an FTS5 query for its trigram indexes.

Each word is reduced to its Swedish Snowball stem ("socialfonden" -> "socialfond", "kommuner" ->
"kommun") and searched as a substring, so inflections match and so do compounds that contain it
("kapacitet" finds "mottagarkapacitet"). Self-contained (datasette, snowballstemmer) so that
`datasette package --plugins-dir` can ship it.
"""
from __future__ import annotations

import re
import sqlite3
import threading

import snowballstemmer
from datasette import hookimpl

WORD = re.compile(r"\w+")
MIN_TERM = 3  # the trigram tokenizer matches nothing shorter
NOTHING = '""'  # an FTS5 query that matches no row
_local = threading.local()


def stem(word: str) -> str:
    """The Swedish Snowball stem of a lower-case word (one stemmer per thread: they keep state)."""
    if not hasattr(_local, "stemmer"):
        _local.stemmer = snowballstemmer.stemmer("swedish")
    return _local.stemmer.stemWord(word)


def search_term(word: str) -> str:
    """What to look for in place of a word: its stem when that is long enough, else the word."""
    stemmed = stem(word)
    return stemmed if len(stemmed) >= MIN_TERM else word


def fts_query(text: str | None) -> str:
    """An FTS5 query in which every word of `text` (stemmed, quoted) must occur; matches nothing when empty."""
    words = WORD.findall((text or "").casefold())
    terms = dict.fromkeys(term for term in map(search_term, words) if len(term) >= MIN_TERM)
    return " AND ".join(f'"{term}"' for term in terms) or NOTHING


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("sv_match", 1, fts_query, deterministic=True)
