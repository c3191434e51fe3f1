"""Extractor throughput (pages/s, words/s, CPU seconds beside wall time) over 1,000+ pages, beside two baselines in
the same run: the bare spacy.blank("sv") tokenizer and the shipped NER model alone (pipelines/models/ner_sv, nlp.pipe).

Goal (issue 10): the extractor at >= 0.50 of the bare NER model's words per CPU second.
Pages: every sample-site page, the annotated pages in tests/gold and ../shared/eval/dev, cycled to --pages.
Run: .venv/bin/python benchmarks/extract_throughput.py [--pages 1000] [--rounds 2]
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
from pipelines.ner import load_ner
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


def timed(label: str, words: int, pages: int, run) -> float:
    """Run once; print wall and CPU seconds, pages and words per CPU second; return the CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<30} wall {wall:7.2f} s  cpu {cpu:7.2f} s  {pages / cpu:8.1f} pages/cpu-s  "
          f"{words / cpu:9.0f} words/cpu-s")
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2, help="Measure everything this many times.")
    args = parser.parse_args()
    base = corpus()
    pages = list(itertools.islice(itertools.cycle(base), max(args.pages, len(base))))
    texts = [page.text for page in pages]
    words = sum(len(text.split()) for text in texts)
    print(f"{len(pages)} pages ({len(base)} distinct), {words} words")
    blank = spacy.blank("sv")
    ner = load_ner()
    extractor = Extractor()
    list(extractor.extract(base[:5]))  # warm-up: pattern files and models load outside the timing
    list(ner.pipe(texts[:5]))
    for round_ in range(1, args.rounds + 1):
        print(f"round {round_}")
        tokenizer = timed('spacy.blank("sv") tokenizer', words, len(pages), lambda: list(blank.tokenizer.pipe(texts)))
        model = timed("NER model alone (nlp.pipe)", words, len(pages), lambda: list(ner.pipe(texts, batch_size=16)))
        full = timed("kommunarkiv extractor", words, len(pages), lambda: list(extractor.extract(pages)))
        print(f"  extractor words/cpu-s as a share of the NER model's: {model / full:.2f} (goal >= 0.50); "
              f"extractor / tokenizer CPU: {full / tokenizer:.1f}x")


if __name__ == "__main__":
    main()
