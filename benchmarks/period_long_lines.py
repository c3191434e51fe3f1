"""The period search (pipelines/extract/dates.py find_period) on one very long line full of dates, beside a baseline in
the same process: the bare scan of the line's date expressions (the grammar's _DATE_RE), which is linear.

A one-line page (a CMS export, a minified page) can give one sentence of tens of thousands of characters with
thousands of dates. The period search read the whole sentence again for each date (quadratic); it now reads it once.
What to look for: the ratio period search / scan stays about the same as the line grows (linear), instead of growing
with the length. The invented line repeats a short Swedish clause with four dates.
Run: .venv/bin/python benchmarks/period_long_lines.py [--sizes 25000 50000 100000]
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from pipelines.extract.dates import _DATE_RE, find_period

CLAUSE = "arbetet i byn 2019 och mars 2021 samt hösten 2022 med 2023 års plan, "


def line(size: int) -> str:
    """One sentence of about size characters: a period cue, then the clause repeated without a sentence end."""
    return "Projektet pågår 2020–2024 " + (CLAUSE * (size // len(CLAUSE) + 1))[:size]


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 50_000, 100_000])
    args = parser.parse_args()
    print("| characters | dates | scan CPU s | period search CPU s (wall s) | ratio |")
    print("|---|---|---|---|---|")
    for size in args.sizes:
        text = line(size)
        dates = sum(1 for _ in _DATE_RE.finditer(text))
        scan, _ = timed(lambda: list(_DATE_RE.finditer(text)))
        period = find_period(text)
        assert period is not None and (period.start, period.end) == ("2020", "2024"), period
        cpu, wall = timed(lambda: find_period(text))
        print(f"| {size:,} | {dates:,} | {scan:.3f} | {cpu:.2f} ({wall:.2f}) | {cpu / max(scan, 1e-6):.0f} |")


if __name__ == "__main__":
    main()
