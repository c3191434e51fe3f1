"""Search and facet latency on a generated archive of 100,000 projects and 1,000,000 pages, and its size.

Words come from the sample sites and the annotated pages (real Swedish, drawn by frequency); the
archive is built in a temporary directory through the project's own schema. Prints progress, then
median and p95 latency of the one-box `search` query for single words, compound parts and two-word
queries; the latency of the projects overview page with its default facets; and the database size
without and with the trigram indexes.
Run: .venv/bin/python benchmarks/search.py [--pages 1000000] [--projects 100000] [--keep DIR]
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import math
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from pipelines.clean import clean_html
from pipelines.places import registry_municipalities
from pipelines.store import ensure_db_shape, open_archive
from scraper.datasette_plugins.kommunarkiv_search import fts_query
from scraper.metadata import build_metadata
from scraper.publish import DATASETTE_SETTINGS, PLUGINS_DIR, TEMPLATES
from scraper.sample_server import SAMPLE_SITES

REPO = Path(__file__).resolve().parents[1]
QUERIES = {
    "single word": ["kommun", "projekt", "landsbygd", "turism", "ungdomar", "Malmfälten"],
    "compound part": ["fond", "kapacitet", "infrastruktur", "kompetens", "samverkan", "energi"],
    "two words": ["regional utveckling", "unga arbete", "digitala möten", "kommunens skolor", "Leader landsbygd",
                  "socialfonden kompetens"],
}
FUNDERS = ["Europeiska socialfonden", "Europeiska regionala utvecklingsfonden", "Leader Hälsingebygden",
           "Interreg Aurora", "Tillväxtverket", "Allmänna arvsfonden", "Jordbruksverket", "Region Norrbotten",
           "Region Gävleborg", "Energimyndigheten", "Vinnova", "Formas", "Boverket", "Naturvårdsverket",
           "Länsstyrelsen i Norrbottens län", "AMIF", "Kulturrådet", "Trafikverket", "Post- och telestyrelsen",
           "Svenska ESF-rådet"]


def vocabulary() -> tuple[list[str], list[int]]:
    """Words of the sample sites' and gold pages' main texts, with their frequencies."""
    texts = [clean_html(p.read_bytes(), "https://example.se/").text for p in SAMPLE_SITES.rglob("*.html")]
    texts += [p.read_text("utf-8") for p in (REPO / "tests" / "gold").glob("*.json")]
    counts = collections.Counter(w for t in texts for w in re.findall(r"[^\W\d_]{2,}", t))
    words, weights = zip(*counts.most_common())
    return list(words), list(weights)


def sentence(rng: random.Random, words: list[str], cum: list[int], n: int) -> str:
    """n words drawn by frequency, capitalised, with a full stop."""
    drawn = rng.choices(words, cum_weights=cum, k=n)
    return " ".join(drawn).capitalize() + "."


def generate(db_path: Path, pages: int, projects: int) -> tuple[int, int]:
    """Fill an archive; return its size in bytes without and with the full-text indexes."""
    rng = random.Random(5)
    words, weights = vocabulary()
    cum = list(itertools.accumulate(weights))
    places = [m for m in registry_municipalities() if m["lat"]]
    db = open_archive(db_path)
    for table in ("pages", "projects"):
        db.table(table).disable_fts()
    conn = db.conn
    conn.executemany("insert into sites (id, name, kind, kommunkod, county) values (?, ?, 'municipality', ?, ?)",
                     [(m["kommunkod"], m["name"], m["kommunkod"], m["county"]) for m in places])
    conn.executemany("insert into organisations (id, name, kind) values (?, ?, 'eu_fund')",
                     [(f"f{i}", name) for i, name in enumerate(FUNDERS)])
    start = time.perf_counter()
    for first in range(0, pages, 50_000):
        rows = []
        for i in range(first, min(first + 50_000, pages)):
            place = places[i % len(places)]
            text = " ".join(sentence(rng, words, cum, rng.randint(6, 14)) for _ in range(rng.randint(4, 8)))
            rows.append((f"https://{place['kommunkod']}.example.se/sida/{i}", place["kommunkod"],
                         sentence(rng, words, cum, rng.randint(2, 6)), text, 200, int(i % 10 == 0)))
        conn.executemany("insert into pages (url, site_id, title, text, http_status, is_project_page) "
                         "values (?, ?, ?, ?, ?, ?)", rows)
        conn.commit()
        print(f"  pages {first + len(rows):>9,} ({time.perf_counter() - start:.0f} s)", flush=True)
    for first in range(0, projects, 50_000):
        rows, roles = [], []
        for i in range(first, min(first + 50_000, projects)):
            page = i * 10 % pages  # a project page of its municipality
            place, year = places[page % len(places)], rng.randint(2012, 2027)
            rows.append((f"p{i}", sentence(rng, words, cum, rng.randint(2, 6))[:-1],
                         " ".join(sentence(rng, words, cum, rng.randint(8, 16)) for _ in range(2)),
                         str(year), str(year + rng.randint(0, 4)), year, rng.choice([None, 500_000, 2_400_000]),
                         place["name"], place["county"], f"https://{place['kommunkod']}.example.se/sida/{page}",
                         place["kommunkod"], "2024-05-01T00:00:00+00:00"))
            roles += [(f"p{i}", f"f{f}", "funder") for f in rng.sample(range(len(FUNDERS)), rng.randint(1, 3))]
        conn.executemany("insert into projects (id, title, summary, start_date, end_date, start_year, budget_sek, "
                         "municipality, county, page_url, site_id, first_seen_at) "
                         "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.executemany("insert into project_organisations (project_id, organisation_id, role) values (?, ?, ?)",
                         roles)
        conn.commit()
        print(f"  projects {first + len(rows):>9,}", flush=True)
    conn.execute("analyze")
    without = db_size(db)
    start = time.perf_counter()
    ensure_db_shape(db)  # builds the declared trigram indexes
    print(f"  trigram indexes built in {time.perf_counter() - start:.0f} s", flush=True)
    with_index = db_size(db)
    db.close()
    return without, with_index


def db_size(db) -> int:
    """Bytes in use: page count times page size."""
    return db.execute("pragma page_count").fetchone()[0] * db.execute("pragma page_size").fetchone()[0]


def percentiles(seconds: list[float]) -> str:
    """Median and p95 in milliseconds."""
    ordered = sorted(seconds)
    return f"median {statistics.median(ordered) * 1000:7.1f} ms   p95 {ordered[math.ceil(0.95 * len(ordered)) - 1] * 1000:7.1f} ms"


def time_searches(db_path: Path, repeats: int) -> None:
    """Latency of the `search` canned query's SQL, per kind of query."""
    import sqlite3

    sql = build_metadata()["databases"]["archive"]["queries"]["search"]["sql"]
    conn = sqlite3.connect(db_path)
    conn.create_function("sv_match", 1, fts_query, deterministic=True)
    for kind, queries in QUERIES.items():
        seconds, hits = [], []
        for query in queries:
            for _ in range(repeats):
                start = time.perf_counter()
                rows = conn.execute(sql, {"q": query}).fetchall()
                seconds.append(time.perf_counter() - start)
            hits.append(len(rows))
        print(f"search, {kind:14} {percentiles(seconds)}   rows returned {hits}")
    unranked = ("select count(*) from (select rowid from pages_fts where pages_fts match sv_match(:q) "
                "order by rank limit 30)")
    start = time.perf_counter()
    conn.execute(unranked, {"q": "kommun"}).fetchall()
    print(f"for comparison, bm25 over ALL pages matching 'kommun': {(time.perf_counter() - start) * 1000:.0f} ms")


def time_facets(db_path: Path, repeats: int) -> None:
    """Latency of the projects pages with their default facets: Datasette's default settings, then serve's."""
    from datasette.app import Datasette

    async def run(ds: Datasette, path: str) -> list[float]:
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            response = await ds.client.get(path)
            seconds.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
        return seconds

    served = {key: int(value) if value.isdigit() else value == "on" for key, value in DATASETTE_SETTINGS.items()}
    for label, settings in (("Datasette defaults", {}), ("kommunarkiv serve", served)):
        ds = Datasette([str(db_path)], metadata=build_metadata(db_path.stem), plugins_dir=str(PLUGINS_DIR),
                       template_dir=str(TEMPLATES), settings=settings)
        for path in (f"/{db_path.stem}/projects", f"/{db_path.stem}/project_overview",
                     f"/{db_path.stem}/project_funders?funder=Interreg+Aurora"):
            print(f"{label:18} page {path:40} {percentiles(asyncio.run(run(ds, path)))}")


def main() -> None:
    """Build, then measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1_000_000)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="Build in this directory and keep the archive.")
    args = parser.parse_args()
    directory = args.keep or Path(tempfile.mkdtemp(prefix="kommunarkiv-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    db_path = directory / "archive.db"
    db_path.unlink(missing_ok=True)
    print(f"Generating {args.pages:,} pages and {args.projects:,} projects in {db_path}", flush=True)
    without, with_index = generate(db_path, args.pages, args.projects)
    print(f"database size: {without / 1e6:,.0f} MB without the search indexes, {with_index / 1e6:,.0f} MB with "
          f"({with_index / without:.1f}x)")
    time_searches(db_path, args.repeats)
    time_facets(db_path, args.repeats)
    if not args.keep:
        for path in directory.iterdir():
            path.unlink()
        directory.rmdir()


if __name__ == "__main__":
    main()
