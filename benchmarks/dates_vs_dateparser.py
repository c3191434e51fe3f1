"""Own date grammar (pipelines/extract/dates.py) beside dateparser on the Swedish month and season expressions of
real pages: agreement, what each cannot read, and CPU seconds, in the same process.

The expressions are those the grammar's date pattern finds with a month name or a season ('1 mars 2021',
'oktober 2019', 'hösten 2023') in ../shared/eval/dev (real pages), ../shared/eval/kinds and tests/files/kinds_variants.
dateparser reads each one alone (languages=["sv", "en"], year required); the grammar reads it as it reads running text.
Run: .venv/bin/python benchmarks/dates_vs_dateparser.py [--rounds 20]
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import dateparser

from pipelines.extract.dates import _DATE_RE, _mention

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "eval"
SETTINGS = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["year"], "RETURN_AS_TIMEZONE_AWARE": False}


def expressions() -> list[str]:
    """Every month-name or season date expression in the real and invented pages."""
    texts = [json.loads(p.read_text("utf-8"))["text"] for p in sorted((SHARED / "dev").glob("*.json"))]
    texts += [p.read_text("utf-8") for p in sorted((SHARED / "kinds").glob("*.txt"))]
    texts += [p.read_text("utf-8") for p in sorted((REPO / "tests" / "files" / "kinds_variants").glob("*.txt"))]
    return [m.group(0) for text in texts for m in _DATE_RE.finditer(text)
            if m.group("dmy_y") or m.group("my_y") or m.group("sea")]


def own(text: str) -> tuple[int, int | None, int | None] | None:
    """The grammar's reading: (year, month, day or None), the first day a season or month can mean."""
    match = _DATE_RE.fullmatch(text)
    mention = _mention(match) if match else None
    return mention.lo if mention else None


def parsed(text: str, precise: bool) -> tuple[int, int | None, int | None] | None:
    """dateparser's reading in the grammar's shape (day only when the text gives one)."""
    value = dateparser.parse(text, languages=["sv", "en"], settings=SETTINGS)
    return (value.year, value.month, value.day if precise else None) if value else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="Read every expression this many times per reader.")
    args = parser.parse_args()
    found = expressions()
    ours = [own(text) for text in found]
    theirs = [parsed(text, bool(mine and mine[2])) for text, mine in zip(found, ours)]
    agree = sum(1 for a, b in zip(ours, theirs) if a and a == b)
    print(f"{len(found)} expressions; grammar reads {sum(map(bool, ours))}, dateparser {sum(map(bool, theirs))}, "
          f"agree {agree}")
    for text, a, b in zip(found, ours, theirs):
        if a != b:
            print(f"  {text!r:32} grammar {a}  dateparser {b}")
    for label, read in (("grammar", own), ("dateparser", lambda t: parsed(t, True))):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.rounds):
            for text in found:
                read(text)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"{label:<11} wall {wall:7.3f} s  cpu {cpu:7.3f} s  {len(found) * args.rounds / cpu:10.0f} expressions/cpu-s")


if __name__ == "__main__":
    main()
