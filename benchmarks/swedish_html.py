"""The cleaner on real Swedish public-sector HTML: recall of gold items, furniture kept, title and dates.

Pages: ../shared/html/*.html, each with a gold file <name>.json: `gold` (texts that must be kept), `noise`
(header/footer furniture that must go), `title` (+ `title_alt`), `published`, `updated` (YYYY-MM-DD or null).
Matching (whitespace-normalised, case-sensitive): a gold item is kept when it occurs in the main text; a
furniture item is kept when it is a whole block, or, from 12 characters on, occurs inside a block (furniture
text that is also part of a gold item, such as the organisation's name in a heading, is not counted).

Run: .venv/bin/python benchmarks/swedish_html.py [--pages DIR] [-v]
Also read by tests/test_clean_real_html.py, which asserts the per-page figures.
"""
from __future__ import annotations

import argparse
import json
import re
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipelines.clean import clean_html
from pipelines.page import CleanPage

PAGES = Path(__file__).resolve().parents[1].parent / "shared" / "html"
MIN_NOISE_SUBSTRING = 12  # shorter furniture ("Meny", "Press") counts only as a whole block


def norm(text: str) -> str:
    """NFC, single spaces, no trailing punctuation: how page text and gold texts are compared."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().rstrip(".:;,!»›").strip()


@dataclass
class PageScore:
    name: str
    gold: int
    gold_kept: list[str]
    gold_missed: list[str]
    noise: int
    noise_kept: list[str]
    title: str
    title_ok: bool
    dates: tuple[str | None, str | None]
    dates_ok: bool
    chars: int

    @property
    def recall(self) -> float:
        return len(self.gold_kept) / self.gold if self.gold else 1.0


def gold_pages(directory: Path = PAGES) -> list[tuple[Path, dict]]:
    """(html path, gold) for every page with a gold file."""
    return [(path, json.loads(path.with_suffix(".json").read_text("utf-8")))
            for path in sorted(directory.glob("*.html")) if path.with_suffix(".json").exists()]


def score_page(name: str, page: CleanPage, gold: dict) -> PageScore:
    """Compare one cleaned page with its gold file."""
    blocks = [norm(b.text) for b in page.blocks]
    text = " ".join(blocks)
    kept = [g for g in gold["gold"] if norm(g) in text]
    noise_kept = [n for n in gold.get("noise") or [] if not any(norm(n) in norm(g) for g in gold["gold"]) and (
        norm(n) in blocks or (len(norm(n)) >= MIN_NOISE_SUBSTRING and any(norm(n) in b for b in blocks)))]
    titles = [gold["title"], *(gold.get("title_alt") or [])]
    return PageScore(name, len(gold["gold"]), kept, [g for g in gold["gold"] if g not in kept],
                     len(gold.get("noise") or []), noise_kept, page.title,
                     norm(page.title) in {norm(t) for t in titles if t},
                     (page.published, page.updated),
                     (page.published, page.updated) == (gold.get("published"), gold.get("updated")), len(page.text))


def run(directory: Path = PAGES) -> list[PageScore]:
    """Clean and score every gold page in the directory."""
    return [score_page(path.stem, clean_html(path.read_bytes(), gold.get("url") or ""), gold)
            for path, gold in gold_pages(directory)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=PAGES)
    parser.add_argument("-v", "--verbose", action="store_true", help="list missed gold and kept furniture")
    args = parser.parse_args()
    wall, cpu = time.perf_counter(), time.process_time()
    scores = run(args.pages)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{'page':<34} {'chars':>6} {'recall':>7} {'noise kept':>11}  title  dates")
    for s in scores:
        print(f"{s.name:<34} {s.chars:>6} {s.recall:>7.2f} {len(s.noise_kept):>4}/{s.noise:<6}  "
              f"{'ok' if s.title_ok else 'NO':<5}  {'ok' if s.dates_ok else 'NO'}")
        if args.verbose:
            for g in s.gold_missed:
                print(f"    missed: {g}")
            for n in s.noise_kept:
                print(f"    furniture kept: {n}")
            if not s.title_ok:
                print(f"    title: {s.title!r}")
            if not s.dates_ok:
                print(f"    dates: {s.dates}")
    gold = sum(s.gold for s in scores)
    noise = sum(s.noise for s in scores)
    print(f"\n{len(scores)} pages: gold items kept {sum(len(s.gold_kept) for s in scores)}/{gold} "
          f"(micro recall {sum(len(s.gold_kept) for s in scores) / gold:.3f}, "
          f"mean page recall {sum(s.recall for s in scores) / len(scores):.3f}, "
          f"pages >= 0.9: {sum(s.recall >= 0.9 for s in scores)}), "
          f"furniture kept {sum(len(s.noise_kept) for s in scores)}/{noise} "
          f"({sum(len(s.noise_kept) for s in scores) / noise:.3f}), "
          f"empty pages {sum(s.chars == 0 for s in scores)}, "
          f"titles {sum(s.title_ok for s in scores)}/{len(scores)}, dates {sum(s.dates_ok for s in scores)}/{len(scores)}")
    print(f"time: {wall:.2f} s wall, {cpu:.2f} s CPU")


if __name__ == "__main__":
    main()
