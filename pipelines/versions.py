"""Page versions: each distinct main text of a page, with the raw response body it came from; and the
version of the extractor's rules that read it.

Raw bodies are gzip blobs in the archive rather than WARC files beside it: a blob is written in the
same SQLite transaction as the page row and its projects, so a crawl killed at any moment leaves
page, text and raw body either all stored or all absent, and one file holds the whole archive.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import zlib
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
Links = list[tuple[str, int]]  # a page's links as the link extractor found them: (absolute URL, priority)


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
                 clean_page: str | None = None, links: Links | None = None) -> int:
    """Add a version when the page's text is new, else refresh the current version's raw body (with the cleaned page
    read from it, CleanPage.to_json(), and its `links`); return its number. `links` None: the page's links were not
    read, and a re-crawl that finds it unchanged reads them from the raw body."""
    latest = db.execute("select content_hash, body_hash, links_gz is null from page_versions where url = ? and "
                        "version = ?", [page["url"], current]).fetchone() if current else None
    hashed = body_hash(body) if body is not None else None
    if latest and latest[0] == page["content_hash"]:
        if body is not None and latest[1] != hashed:
            update_row(db, "page_versions", {"url": page["url"], "version": current}, {
                "content_type": page.get("content_type"), "body_hash": hashed,
                "body_gz": gzip.compress(body, GZIP_LEVEL, mtime=0), "clean_page": clean_page,
                "links_gz": pack_links(links)})
        elif links is not None and latest[2]:  # a version stored before links were kept
            update_row(db, "page_versions", {"url": page["url"], "version": current}, {"links_gz": pack_links(links)})
        return current
    raw = {"content_type": page.get("content_type"), "body_hash": hashed,
           "body_gz": gzip.compress(body, GZIP_LEVEL, mtime=0) if body is not None else None, "clean_page": clean_page,
           "links_gz": pack_links(links)}
    version = (current or 0) + 1
    insert_row(db, "page_versions", {"url": page["url"], "version": version, "fetched_at": now,
                                     "content_hash": page["content_hash"], "title": page.get("title"),
                                     "text": page.get("text"), **raw})
    return version


def pack_links(links: Links | None) -> bytes | None:
    """Links as page_versions.links_gz: zlib-compressed JSON [[url, priority], ...]; None stays None."""
    return None if links is None else zlib.compress(json.dumps(links, separators=(",", ":")).encode(), GZIP_LEVEL)


def unpack_links(blob: bytes) -> Links:
    """The links packed by pack_links."""
    return [(url, priority) for url, priority in json.loads(zlib.decompress(blob))]


def keep_links(db: Database, url: str, links: Links) -> None:
    """Store the links of the page's current version when that version has none yet (an archive from before links
    were kept, read again from its raw body on an unchanged re-crawl)."""
    db.execute("update page_versions set links_gz = ? where url = ? and links_gz is null and "
               "version = (select version from pages where url = ?)", [pack_links(links), url, url])


def latest_links(db: Database, url: str) -> tuple[Links, str] | None:
    """The links and Content-Type of the page's current version, if its links were kept."""
    row = db.execute("select v.links_gz, v.content_type from pages p join page_versions v "
                     "on v.url = p.url and v.version = p.version where p.url = ?", [url]).fetchone()
    return (unpack_links(row[0]), row[1] or "") if row and row[0] is not None else None


def latest_body(db: Database, url: str) -> tuple[bytes, str] | None:
    """The raw body and Content-Type of the page's current version, if one was kept."""
    row = db.execute("select v.body_gz, v.content_type from pages p join page_versions v "
                     "on v.url = p.url and v.version = p.version where p.url = ?", [url]).fetchone()
    return (gzip.decompress(row[0]), row[1] or "") if row and row[0] is not None else None
