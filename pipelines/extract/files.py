"""Extract projects from saved files: HTML through the cleaner, .txt as main text; one record per file."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipelines.clean import clean_html, clean_text
from pipelines.decode import decode_page
from pipelines.extract.engine import EXTRACTOR_VERSION, Extractor
from pipelines.page import CleanPage

MAX_BYTES = 20_000_000  # a saved page beyond this is not a web page we can use
TEXT_SUFFIXES = (".txt", ".text")


def read_page(path: Path) -> CleanPage:
    """The cleaned page of a saved file (decoded by pipelines.decode.decode_page); ValueError for an empty, binary
    (BinaryContent) or oversized file, OSError for one that cannot be read."""
    size = path.stat().st_size
    if size == 0:
        raise ValueError("empty file")
    if size > MAX_BYTES:
        raise ValueError(f"file too large ({size} bytes)")
    data = path.read_bytes()
    if path.suffix.lower() in TEXT_SUFFIXES:
        return clean_text(decode_page(data), url="")
    return clean_html(data, url="")


def error_record(path: Path, error: str) -> dict:
    """A valid record for a file that could not be read."""
    return {"file": str(path), "url": None, "is_project_page": False, "title": None, "published": None,
            "updated": None, "projects": [], "extractor_version": EXTRACTOR_VERSION, "error": error}


def extract_files(paths: list[Path], chunk: int = 64) -> Iterator[dict]:
    """One record per file, in argument order, reading `chunk` files at a time; unreadable files get an 'error',
    files whose main text was cut (pipelines.clean.MAX_TEXT_CHARS) a 'warning'."""
    extractor = Extractor()
    for first in range(0, len(paths), chunk):
        readable: list[tuple[Path, CleanPage | str]] = []
        for path in paths[first:first + chunk]:
            try:
                readable.append((path, read_page(path)))
            except OSError as error:  # missing, a directory, no permission: the reason without the path
                readable.append((path, f"cannot read: {(error.strerror or str(error)).lower()}"))
            except ValueError as error:
                readable.append((path, str(error)))
        records = extractor.extract(page for _, page in readable if isinstance(page, CleanPage))
        for path, page in readable:
            if not isinstance(page, CleanPage):
                yield error_record(path, page)
                continue
            cut = {"warning": f"main text cut at {page.cut_at} characters"} if page.cut_at else {}
            yield {**next(records), "file": str(path), **cut}
