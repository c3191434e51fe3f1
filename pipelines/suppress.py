"""The suppression list: people (by e-mail or name) whose contact details the archive must not keep or publish.

suppressions.csv has one column, `email_or_name`; its path is $KOMMUNARKIV_SUPPRESSIONS, else
suppressions.csv in the working directory. Matching ignores case and extra spaces.
"""
from __future__ import annotations

import csv
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

COLUMN = "email_or_name"


def suppressions_path() -> Path:
    """Where the suppression list lives: $KOMMUNARKIV_SUPPRESSIONS or ./suppressions.csv."""
    return Path(os.environ.get("KOMMUNARKIV_SUPPRESSIONS", "suppressions.csv"))


def normalise(value: str | None) -> str:
    """An e-mail or name folded for comparison: lower case, single spaces."""
    return " ".join((value or "").casefold().split())


@lru_cache(maxsize=8)
def _read(path: Path, mtime: float) -> frozenset[str]:
    """The folded entries of a suppression file (cached until the file changes)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return frozenset(normalise(row.get(COLUMN)) for row in csv.DictReader(handle)) - {""}


def suppressed(path: Path | None = None) -> frozenset[str]:
    """The suppressed e-mails and names, folded; empty when there is no list."""
    path = path or suppressions_path()
    return _read(path, path.stat().st_mtime) if path.is_file() else frozenset()


def is_suppressed(contact: dict[str, Any], path: Path | None = None) -> bool:
    """Whether a contact's e-mail or name is on the suppression list."""
    entries = suppressed(path)
    return bool(entries) and bool({normalise(contact.get("email")), normalise(contact.get("name"))} & entries)
