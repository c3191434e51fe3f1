"""Latency of the project overview page (/archive/project_overview with its declared facets) at 100,000 projects.

Builds an archive of --projects projects (each on its own page, 1-3 funders, 0-4 partners, an owner, spread
over the registry's municipalities and 2012-2027, active years as the store writes them) through the project's
own schema in a temporary directory, then asks Datasette in-process, configured as `kommunarkiv serve` configures
it, for:
- baseline: the plain `projects` table page with its declared facets (no joins, no computed columns);
- the `project_overview` page with its facets (status, county, municipality, funders, start_year).
Prints median and p95 of CPU seconds (this process, all threads) beside wall seconds per request, and
which declared facets are missing (Datasette drops a facet slower than facet_time_limit_ms: a
timed-out facet makes a page look fast). Goal: project_overview p95 <= 200 ms CPU at 100,000 projects.
Run: .venv/bin/python benchmarks/overview.py [--projects 100000] [--repeats 20] [--keep DIR]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import statistics
import tempfile
import time
from pathlib import Path

from datasette.app import Datasette

from pipelines.places import registry_municipalities
from pipelines.store import active_years, open_archive
from scraper.metadata import build_metadata
from scraper.publish import DATASETTE_SETTINGS, PLUGINS_DIR, TEMPLATES

KINDS = ["eu_fund", "programme", "agency", "region", "university", "company", "association", "foundation"]
NOW = "2024-05-01T00:00:00+00:00"


def generate(db_path: Path, projects: int) -> None:
    """Fill an archive with `projects` projects, their pages, sites, organisations and roles."""
    rng = random.Random(10)
    places = [m for m in registry_municipalities() if m["lat"]]
    organisations = [(f"org{i}", f"Organisation {i}", KINDS[i % len(KINDS)]) for i in range(400)]
    funders, others = organisations[:40], organisations[40:]
    db = open_archive(db_path)
    conn = db.conn
    conn.executemany("insert into sites (id, name, kind, kommunkod, county) values (?, ?, 'municipality', ?, ?)",
                     [(m["kommunkod"], m["name"], m["kommunkod"], m["county"]) for m in places])
    conn.executemany("insert into organisations (id, name, kind) values (?, ?, ?)", organisations)
    for first in range(0, projects, 20_000):
        pages, rows, roles = [], [], []
        for i in range(first, min(first + 20_000, projects)):
            place, year = places[i % len(places)], rng.randint(2012, 2027)
            url = f"https://{place['kommunkod']}.example.se/projekt/{i}"
            pages.append((url, place["kommunkod"], f"Projekt {i}", f"Projekt {i} i {place['name']}.", 200, 1, NOW))
            owner = rng.choice(others)[0]
            start, end = f"{year}-{rng.randint(1, 12):02d}", str(year + rng.randint(0, 4))
            rows.append((f"p{i}", f"Projekt {i}", f"Projekt {i} i {place['name']}.", start, end, year, int(end),
                         json.dumps([str(y) for y in active_years(start, end)]), rng.choice([None, 500_000, 2_400_000]),
                         owner, place["name"], place["county"], url, place["kommunkod"], NOW, NOW))
            roles.append((f"p{i}", owner, "owner"))
            roles += [(f"p{i}", org[0], "funder") for org in rng.sample(funders, rng.randint(1, 3))]
            roles += [(f"p{i}", org[0], "partner") for org in rng.sample(others, rng.randint(0, 4))]
        conn.executemany("insert into pages (url, site_id, title, text, http_status, is_project_page, fetched_at) "
                         "values (?, ?, ?, ?, ?, ?, ?)", pages)
        conn.executemany("insert into projects (id, title, summary, start_date, end_date, start_year, end_year, "
                         "active_years, budget_sek, owner_id, municipality, county, page_url, site_id, first_seen_at, "
                         "last_seen_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        conn.executemany("insert into project_organisations (project_id, organisation_id, role) values (?, ?, ?)",
                         roles)
        conn.commit()
        print(f"  projects {first + len(rows):>9,}", flush=True)
    db.close()
    db = open_archive(db_path)  # what a crawl's next open does: derived data brought up to date
    conn = db.conn
    conn.execute("analyze")
    db.close()


def percentiles(values: list[float]) -> str:
    """Median and p95 in milliseconds."""
    ordered = sorted(values)
    return f"median {statistics.median(ordered) * 1000:6.0f}  p95 {ordered[math.ceil(0.95 * len(ordered)) - 1] * 1000:6.0f}"


async def measure(ds: Datasette, path: str, repeats: int) -> tuple[list[float], list[float]]:
    """CPU and wall seconds of `repeats` requests for path (after one warm-up request)."""
    cpu, wall = [], []
    for attempt in range(repeats + 1):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        response = await ds.client.get(path)
        if attempt:
            cpu.append(time.process_time() - start_cpu)
            wall.append(time.perf_counter() - start_wall)
        assert response.status_code == 200, (path, response.status_code)
    return cpu, wall


async def missing_facets(ds: Datasette, path: str) -> list[str]:
    """The declared facets the page did not show: Datasette drops a facet that timed out, silently in JSON."""
    response = await ds.client.get(path + ".json")
    table = path.rsplit("/", 1)[1]
    declared = ds.metadata("tables", database="archive")[table].get("facets", [])
    names = [f if isinstance(f, str) else next(iter(f.values())) for f in declared]
    names = [n if isinstance(n, str) else n["column"] for n in names]
    return [n for n in names if n not in response.json()["facet_results"]]


async def run(db_path: Path, repeats: int) -> None:
    """Measure the baseline and the overview page, then print."""
    settings = {key: int(value) if value.isdigit() else value == "on" for key, value in DATASETTE_SETTINGS.items()}
    ds = Datasette([str(db_path)], metadata=build_metadata(db_path.stem), plugins_dir=str(PLUGINS_DIR),
                   template_dir=str(TEMPLATES), settings=settings)
    print(f"{'page':36} {'CPU ms':>22}   {'wall ms':>22}   facets missing (timed out)")
    for label, path in (("baseline: projects table", f"/{db_path.stem}/projects"),
                        ("project_overview", f"/{db_path.stem}/project_overview")):
        cpu, wall = await measure(ds, path, repeats)
        print(f"{label:36} {percentiles(cpu)}   {percentiles(wall)}   {await missing_facets(ds, path) or 'none'}",
              flush=True)


def main() -> None:
    """Build, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="Build in this directory and keep the archive (reused if present).")
    args = parser.parse_args()
    directory = args.keep or Path(tempfile.mkdtemp(prefix="kommunarkiv-overview-"))
    directory.mkdir(parents=True, exist_ok=True)
    db_path = directory / "archive.db"
    if not (args.keep and db_path.exists()):
        print(f"Generating {args.projects:,} projects in {db_path}", flush=True)
        start = time.perf_counter()
        generate(db_path, args.projects)
        print(f"  built in {time.perf_counter() - start:.0f} s", flush=True)
    else:
        open_archive(db_path).close()  # bring a kept archive to the current shape
    asyncio.run(run(db_path, args.repeats))
    if not args.keep:
        for path in directory.iterdir():
            path.unlink()
        directory.rmdir()


if __name__ == "__main__":
    main()
