"""Page versions: each distinct main text of a page, with the raw response body it came from; and the
version of the extractor's rules that read it.

Raw bodies are gzip blobs in the archive rather than WARC files beside it: a blob is written in the
same SQLite transaction as the page row and its projects, so a crawl killed at any moment leaves
page, text and raw body either all stored or all absent, and one file holds the whole archive.
"""
from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version as package_version
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pipelines.rows import insert_row, update_row

PACKAGE = Path(__file__).resolve().parent
RULE_FILES = ("patterns/*.jsonl", "extract/data/*.json", "extract/pipeline.cfg", "data/*.csv")
MODEL_FILES = "models/ner_sv/**/*"
GZIP_LEVEL = 6  # zlib's default: on ~100 kB municipal pages 4.8 ms a page against level 9's 7.1, 0.5 % larger


def rule_files(root: Path = PACKAGE) -> list[Path]:
    """The files whose content decides what the extractor finds: pattern files, cue and vocabulary data,
    the pipeline config, the organisation registry and the NER model's files; sorted, paths under root."""
    found = {p for glob in (*RULE_FILES, MODEL_FILES) for p in root.glob(glob) if p.is_file()}
    return sorted(found)


def rules_digest(paths: Iterable[Path], root: Path = PACKAGE) -> str:
    """SHA-256 (first 12 hex digits) over each file's path relative to root and its bytes."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def extractor_version(root: Path = PACKAGE) -> str:
    """The extractor's version: '<package version>+<digest of the rule and model files>' (PEP 440 local label),
    so that a changed pattern file, cue list or model gives a new version and `reextract` rebuilds its projects.
    Reads every rule file (about 13 MB); engine.EXTRACTOR_VERSION holds the value computed once per process."""
    try:
        release = package_version("kommunarkiv")
    except PackageNotFoundError:
        release = "0"
    return f"{release}+{rules_digest(rule_files(root), root)}"


def body_hash(body: bytes) -> str:
    """SHA-256 of a raw response body."""
    return hashlib.sha256(body).hexdigest()


def save_version(db: Database, page: dict[str, Any], body: bytes | None, current: int | None, now: str,
                 clean_page: str | None = None) -> int:
    """Add a version when the page's text is new, else refresh the current version's raw body (and the cleaned page
    read from it, CleanPage.to_json()); return its number."""
    latest = db.execute("select content_hash, body_hash from page_versions where url = ? and version = ?",
                        [page["url"], current]).fetchone() if current else None
    hashed = body_hash(body) if body is not None else None
    if latest and latest[0] == page["content_hash"]:
        if body is not None and latest[1] != hashed:
            update_row(db, "page_versions", {"url": page["url"], "version": current}, {
                "content_type": page.get("content_type"), "body_hash": hashed,
                "body_gz": gzip.compress(body, GZIP_LEVEL, mtime=0), "clean_page": clean_page})
        return current
    raw = {"content_type": page.get("content_type"), "body_hash": hashed,
           "body_gz": gzip.compress(body, GZIP_LEVEL, mtime=0) if body is not None else None, "clean_page": clean_page}
    version = (current or 0) + 1
    insert_row(db, "page_versions", {"url": page["url"], "version": version, "fetched_at": now,
                                     "content_hash": page["content_hash"], "title": page.get("title"),
                                     "text": page.get("text"), **raw})
    return version


def latest_body(db: Database, url: str) -> tuple[bytes, str] | None:
    """The raw body and Content-Type of the page's current version, if one was kept."""
    row = db.execute("select v.body_gz, v.content_type from pages p join page_versions v "
                     "on v.url = p.url and v.version = p.version where p.url = ?", [url]).fetchone()
    return (gzip.decompress(row[0]), row[1] or "") if row and row[0] is not None else None
