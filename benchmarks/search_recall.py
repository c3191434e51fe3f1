"""Recall of five ways to search Swedish text in SQLite, on tests/files/search_examples.json.

Each example is a query and a text it must find (inflections, compound parts, case, å/ä/ö). All
example texts form one corpus; a query scores when its own text is among the matches. Also printed:
how many other texts each query matches on average (a rough cost in precision).
Run: .venv/bin/python benchmarks/search_recall.py
"""
from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import snowballstemmer

from scraper.datasette_plugins.kommunarkiv_search import fts_query

EXAMPLES = json.loads((Path(__file__).resolve().parents[1] / "tests/files/search_examples.json").read_text("utf-8"))
STEMMER = snowballstemmer.stemmer("swedish")


def words(text: str) -> list[str]:
    """Lower-case words."""
    return re.findall(r"\w+", text.casefold())


def quoted(terms: list[str]) -> str:
    """An FTS5 query requiring every term, as Datasette's escaped search mode writes it."""
    return " ".join(f'"{term}"' for term in terms) or '""'


def stemmed(text: str) -> str:
    """Text as Snowball stems, for an index of stems."""
    return " ".join(STEMMER.stemWords(words(text)))


# name: (tokenizer, text as indexed, query as matched)
MECHANISMS: dict[str, tuple[str, Callable[[str], str], Callable[[str], str]]] = {
    "unicode61 (SQLite default)": ("unicode61", str, lambda q: quoted(words(q))),
    "porter (English stemmer)": ("porter unicode61", str, lambda q: quoted(words(q))),
    "Snowball sv at index and query": ("unicode61", stemmed, lambda q: quoted(stemmed(q).split())),
    "trigram, words as typed": ("trigram", str, lambda q: quoted([w for w in words(q) if len(w) >= 3])),
    "trigram + Snowball sv query (chosen)": ("trigram", str, fts_query),
}


def measure(tokenizer: str, index: Callable[[str], str], query: Callable[[str], str]) -> tuple[float, float, list[str]]:
    """Recall, mean number of other texts matched, and the missed queries."""
    conn = sqlite3.connect(":memory:")
    conn.execute(f"create virtual table docs using fts5(text, tokenize='{tokenizer}')")
    conn.executemany("insert into docs(rowid, text) values (?, ?)",
                     [(i, index(example["text"])) for i, example in enumerate(EXAMPLES)])
    missed, others = [], 0
    for i, example in enumerate(EXAMPLES):
        hits = {row[0] for row in conn.execute("select rowid from docs where docs match ?", [query(example["query"])])}
        others += len(hits - {i})
        if i not in hits:
            missed.append(example["query"])
    return 1 - len(missed) / len(EXAMPLES), others / len(EXAMPLES), missed


def main() -> None:
    """Print recall per mechanism."""
    print(f"{len(EXAMPLES)} query -> text examples; sqlite {sqlite3.sqlite_version}")
    print(f"{'mechanism':40} {'recall':>7} {'other hits':>11}  missed")
    for name, (tokenizer, index, query) in MECHANISMS.items():
        recall, others, missed = measure(tokenizer, index, query)
        print(f"{name:40} {recall:7.0%} {others:11.2f}  {', '.join(missed)}")


if __name__ == "__main__":
    main()
