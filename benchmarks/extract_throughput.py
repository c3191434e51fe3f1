"""Extractor throughput (pages/s, words/s) over 1,000+ pages, beside the bare spacy.blank("sv") tokenizer.

Pages: every sample-site page, the annotated pages in tests/gold and ../shared/eval/dev, cycled to --pages.
Run: .venv/bin/python benchmarks/extract_throughput.py [--pages 1000]
"""
from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import spacy

from pipelines.clean import clean_html
from pipelines.extract.engine import Extractor
from pipelines.page import CleanPage
from scraper.sample_server import SAMPLE_SITES

REPO = Path(__file__).resolve().parents[1]
GOLD_DIRS = [REPO / "tests" / "gold", REPO.parent / "shared" / "eval" / "dev"]


def corpus() -> list[CleanPage]:
    """Cleaned pages: the sample sites' HTML and the gold pages wrapped as the scorer wraps them."""
    pages = [clean_html(path.read_bytes(), f"https://example.se/{path.name}") for path in SAMPLE_SITES.rglob("*.html")]
    for directory in GOLD_DIRS:
        for path in sorted(directory.glob("*.json")):
            gold = json.loads(path.read_text("utf-8"))
            body = "".join(f"<p>{line}</p>" for line in gold["text"].splitlines() if line.strip())
            pages.append(clean_html(f"<html><body><main>{body}</main></body></html>", gold.get("url") or ""))
    return pages


def timed(label: str, texts_words: int, pages: int, run) -> float:
    """Run once, print wall and CPU seconds, pages/s and words/s (by CPU time: the machine may be shared); return the
    CPU seconds."""
    start, cpu = time.perf_counter(), time.process_time()
    run()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label:<28} {seconds:8.2f} s wall {cpu:8.2f} s CPU  {pages / cpu:10.1f} pages/s  {texts_words / cpu:12.0f} words/s")
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    base = corpus()
    pages = list(itertools.islice(itertools.cycle(base), max(args.pages, len(base))))
    texts = [page.text for page in pages]
    words = sum(len(text.split()) for text in texts)
    print(f"{len(pages)} pages ({len(base)} distinct), {words} words")
    blank = spacy.blank("sv")
    extractor = Extractor()
    list(extractor.extract(base[:5]))  # warm-up: pattern files and models load outside the timing
    baseline = timed('spacy.blank("sv") tokenizer', words, len(pages), lambda: list(blank.tokenizer.pipe(texts)))
    full = timed("kommunarkiv extractor", words, len(pages), lambda: list(extractor.extract(pages)))
    print(f"extractor / tokenizer CPU time: {full / baseline:.1f}x")


if __name__ == "__main__":
    main()
