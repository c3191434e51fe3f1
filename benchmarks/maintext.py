"""Main-content extraction on the 181-page public benchmark: our cleaner beside bare trafilatura, same run.

Data and metric: ../shared/bench/maintext/ (html/<id>.html.gz, ground-truth.json, score_maintext.py: word
4-gram precision/recall averaged over pages, F1 of the means, near-empty = under 20 % of the truth's length).
Each extractor's predictions are written as {id: {"articleBody": text}} and scored with score_maintext.py's
own `score`; CPU seconds are printed beside wall time.

Run: .venv/bin/python benchmarks/maintext.py [--out DIR] [--empty]
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

from pipelines.clean import clean_html

BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "maintext"


def scorer():
    """The benchmark's score_maintext module, loaded from its folder."""
    spec = importlib.util.spec_from_file_location("score_maintext", BENCH / "score_maintext.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pages() -> dict[str, tuple[str, str]]:
    """{id: (url, html)} for every page in the ground truth."""
    truth = json.loads((BENCH / "ground-truth.json").read_text("utf-8"))
    return {key: (value.get("url") or "", gzip.decompress((BENCH / "html" / f"{key}.html.gz").read_bytes())
                  .decode("utf-8", errors="replace")) for key, value in truth.items()}


EXTRACTORS: dict[str, Callable[[str, str], str]] = {
    "kommunarkiv clean_html": lambda html, url: clean_html(html, url).text,
    f"trafilatura {trafilatura.__version__} (default)": lambda html, url: trafilatura.extract(html, url=url) or "",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="keep the predictions here (default: a temporary folder)")
    parser.add_argument("--empty", action="store_true", help="list the near-empty pages")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="maintext-"))
    out.mkdir(parents=True, exist_ok=True)
    score = scorer()
    truth = json.loads((BENCH / "ground-truth.json").read_text("utf-8"))
    corpus = pages()
    print(f"{len(corpus)} pages; predictions in {out}")
    print(f"{'extractor':<34} {'P':>6} {'R':>6} {'F1':>6} {'near-empty':>10} {'wall s':>8} {'CPU s':>8}")
    for name, extract in EXTRACTORS.items():
        wall, cpu = time.perf_counter(), time.process_time()
        predictions = {key: {"articleBody": extract(html, url)} for key, (url, html) in corpus.items()}
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        (out / f"{name.split()[0]}.json").write_text(json.dumps(predictions, ensure_ascii=False), "utf-8")
        result = score.score(truth, predictions)
        print(f"{name:<34} {result['precision']:>6.3f} {result['recall']:>6.3f} {result['f1']:>6.3f} "
              f"{result['near_empty']:>10} {wall:>8.1f} {cpu:>8.1f}")
        if args.empty:
            for key in result["near_empty_ids"]:
                print(f"    {key[:16]}  {truth[key].get('url')}")


if __name__ == "__main__":
    main()
