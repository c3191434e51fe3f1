"""Precision and recall of project merging on the labelled pairs in tests/files/merge_pairs.json.

Each pair is two invented descriptions of projects (title, site, county, period, funders, partners) labelled
by whether a person would call them one project; near-misses include phases ("etapp 2"), years, the same
name in another county and neighbouring titles. Prints precision, recall, per-kind results and every
mistake with the rule that made it, beside the baseline "merge when the titles are equal (case-folded)".
Run: .venv/bin/python benchmarks/merge_pairs.py
"""
from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from pipelines.merge import Description, match, normal_title

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "files" / "merge_pairs.json"


def description(record: dict) -> Description:
    """A pair member as the matcher sees it."""
    return Description(id=record["id"], title=record["title"], site_id=record["site_id"], county=record["county"],
                       start=record["start"], end=record["end"], funders=frozenset(record["funders"]),
                       actors=frozenset(record["actors"]), site_org=record["site_org"])


def scores(predicted: list[bool], truth: list[bool]) -> tuple[float, float]:
    """(precision, recall) of predicted merges."""
    tp = sum(p and t for p, t in zip(predicted, truth))
    return tp / max(sum(predicted), 1), tp / max(sum(truth), 1)


def evaluate() -> dict:
    """Precision, recall and mistakes of pipelines.merge.match and of the equal-title baseline."""
    pairs = json.loads(PAIRS.read_text("utf-8"))["pairs"]
    truth = [pair["same"] for pair in pairs]
    start, cpu = time.perf_counter(), time.process_time()
    matches = [match(description(pair["a"]), description(pair["b"])) for pair in pairs]
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    baseline = [normal_title(pair["a"]["title"]) == normal_title(pair["b"]["title"]) for pair in pairs]
    precision, recall = scores([m.same for m in matches], truth)
    mistakes = [(pair["kind"], pair["a"]["title"], pair["b"]["title"], pair["same"], m.rule, m.explanation)
                for pair, m in zip(pairs, matches) if m.same != pair["same"]]
    kinds = Counter((pair["kind"], m.same == pair["same"]) for pair, m in zip(pairs, matches))
    return {"pairs": len(pairs), "positives": sum(truth), "precision": precision, "recall": recall,
            "baseline": scores(baseline, truth), "mistakes": mistakes, "kinds": kinds, "seconds": seconds,
            "cpu_seconds": cpu_seconds}


def main() -> None:
    result = evaluate()
    print(f"{result['pairs']} labelled pairs ({result['positives']} the same project), "
          f"{result['seconds'] * 1000:.1f} ms wall / {result['cpu_seconds'] * 1000:.1f} ms CPU")
    print(f"merge rules:           precision {result['precision']:.3f}  recall {result['recall']:.3f}")
    print("baseline (equal title): precision {:.3f}  recall {:.3f}".format(*result["baseline"]))
    for kind in sorted({k for k, _ in result["kinds"]}):
        right, wrong = result["kinds"][(kind, True)], result["kinds"][(kind, False)]
        print(f"  {kind:22} {right}/{right + wrong} right")
    for kind, a, b, same, rule, why in result["mistakes"]:
        print(f"  MISTAKE [{kind}] {a!r} / {b!r}: labelled {'same' if same else 'different'}; {rule}: {why}")


if __name__ == "__main__":
    main()
