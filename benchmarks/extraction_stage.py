"""The extraction stage's CPU per page (pipelines/reextract.run_stage over an archive file, in this process), beside
the extractor alone on the same pages and beside the same stage with the extraction replayed (the records computed
beforehand), which leaves what the stage costs outside NLP: reading the stored cleaned pages and writing projects.

Pages: the benchmark pages of extract_throughput.py (sample sites, tests/gold, ../shared/eval/dev), cycled to --pages,
stored as a crawl stores them (raw body, main text, cleaned page) in a temporary archive; CPU seconds beside wall time.
Run: .venv/bin/python benchmarks/extraction_stage.py [--pages 500] [--rounds 2]
"""
from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from extract_throughput import corpus

from pipelines.extract.engine import Extractor
from pipelines.page import CleanPage
from pipelines.reextract import run_stage
from pipelines.store import content_hash, open_archive, store_page, store_site

NOW = "2026-01-01T00:00:00+00:00"
SITE = {"id": "2523", "name": "Gällivare kommun", "kind": "municipality", "kommunkod": "2523",
        "base_url": "http://127.0.0.1:1/", "host": "127.0.0.1:1"}


class Replay:
    """An extractor that hands back records computed beforehand, by the page number in the URL."""

    def __init__(self, records: list[dict]) -> None:
        self.records = records

    def extract(self, pages: Iterable[CleanPage]) -> Iterator[dict]:
        for page in pages:
            yield self.records[int(page.url.rsplit("-", 1)[1].removesuffix(".html")) % len(self.records)]


def archive(directory: Path, pages: list[CleanPage]):
    """A new archive holding the pages as a crawl stores them (no projects yet)."""
    db = open_archive(directory / "archive.db")
    store_site(db, SITE, NOW)
    for n, page in enumerate(pages):
        text = page.text
        row = {"url": f"http://127.0.0.1:1/sida-{n}.html", "title": page.title, "text": text, "http_status": 200,
               "content_type": "text/html; charset=utf-8", "content_hash": content_hash(f"{n}\n{text}")}
        store_page(db, SITE["id"], row, None, NOW, f"<html><body>{n}</body></html>".encode(), page.to_json())
    return db


def timed(label: str, pages: int, run) -> float:
    """Run once; print wall and CPU seconds and CPU milliseconds per page; return the CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<40} wall {wall:7.2f} s  cpu {cpu:7.2f} s  {1000 * cpu / pages:6.1f} cpu-ms/page")
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    base = corpus()
    pages = list(itertools.islice(itertools.cycle(base), max(args.pages, len(base))))
    extractor = Extractor()
    records = list(extractor.extract(base))  # also the warm-up: models and pattern files load outside the timing
    print(f"{len(pages)} pages ({len(base)} distinct)")
    for round_ in range(1, args.rounds + 1):
        print(f"round {round_}")
        alone = timed("extractor alone", len(pages), lambda: list(extractor.extract(pages)))
        with tempfile.TemporaryDirectory() as tmp:
            db = archive(Path(tmp), pages)
            stage = timed("extraction stage (1 process)", len(pages), lambda: run_stage(db, workers=1,
                                                                                        extractor=extractor))
        with tempfile.TemporaryDirectory() as tmp:
            db = archive(Path(tmp), pages)
            rest = timed("extraction stage, extraction replayed", len(pages),
                         lambda: run_stage(db, workers=1, extractor=Replay(records)))
        print(f"  the stage outside NLP: {1000 * rest / len(pages):.1f} cpu-ms/page, {rest / stage:.0%} of the stage; "
              f"stage / extractor alone: {stage / alone:.2f}")


if __name__ == "__main__":
    main()
