"""Re-crawl cost and discovery order on a generated 2,000-page municipal site served on loopback.

Prints: first crawl time and bytes; the re-crawl of the unchanged site as a share of both (goals:
<= 10 % of the bytes, <= 25 % of the time); peak memory of the crawl processes; and the share of the
site's project pages found after 10, 20 and 50 % of its pages were fetched (goal: >= 90 % after 20 %).
The site has no sitemap, so discovery rests on link prioritisation alone.
Run: .venv/bin/python benchmarks/recrawl.py [--pages 2000]
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scraper.demo import LOOPBACK_CRAWL_ENV
from scraper.sample_server import serve_sites

REPO = Path(__file__).resolve().parents[1]
SECTIONS = ["barn-och-utbildning", "omsorg-och-stod", "bygga-bo-och-miljo", "kultur-och-fritid", "naringsliv",
            "kommun-och-politik", "trafik-och-infrastruktur", "arbete", "uppleva", "om-kommunen"]
FUNDERS = ["Europeiska socialfonden", "Europeiska regionala utvecklingsfonden", "Tillväxtverket",
           "Allmänna arvsfonden", "Leader Polarital", "Interreg Aurora", "Region Norrbotten"]
SLUG_WORDS = ["avgift", "ansokan", "bidrag", "skola", "vatten", "park", "kultur", "bibliotek", "trafik", "stod",
              "omsorg", "bygglov", "miljo", "idrott", "turism", "foretag", "arbete", "boende", "lokal", "natur"]
STYLE = "<style>" + ".sv-portlet{{margin:0 0 1em}}" * 400 + "</style>"  # CMS pages carry ~10 kB of inline furniture
PAGE = ("<!DOCTYPE html><html lang='sv'><head><meta charset='utf-8'><title>{title} - Benchby kommun</title>" + STYLE +
        "</head>"
        "<body><header><nav>{nav}</nav></header><main><h1>{title}</h1>{body}</main>"
        "<footer><p>Benchby kommun, 900 00 Benchby. Telefon växel: 0900-100 00</p></footer></body></html>")


def project_body(rng: random.Random, name: str) -> str:
    """A project page's main text: aims, funders, period, budget."""
    funders = rng.sample(FUNDERS, 2)
    start = rng.randint(2019, 2024)
    return (f"<p>{name} är ett utvecklingsprojekt som ska stärka samverkan mellan kommunen, näringslivet och "
            f"civilsamhället.</p><p>Projektet finansieras av {funders[0]} och {funders[1]}. Det pågår från "
            f"januari {start} till december {start + 2}. Budgeten är {rng.randint(2, 40)} miljoner kronor.</p>"
            f"<p>Projektägare är Benchby kommun.</p>")


def ordinary_body(rng: random.Random, title: str) -> str:
    """A service or news page's main text."""
    words = ["kommunen", "ansökan", "avgift", "öppettider", "blankett", "handläggning", "invånare", "service"]
    return "".join(f"<p>{title} – {' '.join(rng.choices(words, k=25))}.</p>" for _ in range(3))


def generate_site(root: Path, pages: int, seed: int = 4) -> set[str]:
    """Write a site of about `pages` HTML pages; return the project paths.

    Project pages (~4 %) sit four levels deep in ordinary groups of pages; as on real municipal sites
    most are also listed on a section's "Pågående projekt" page, while every tenth is linked only from
    its group (with link text such as "finansieras av"). News, a calendar and service pages make the rest.
    """
    rng = random.Random(seed)
    site: dict[str, tuple[str, str, list[tuple[str, str]]]] = {}  # path -> (title, body, links)
    projects: set[str] = set()
    nav = "".join(f'<a href="/{s}/">{s.replace("-", " ").capitalize()}</a>' for s in SECTIONS)
    slugs = iter(f"{a}-{b}-{c}" for a in SLUG_WORDS for b in SLUG_WORDS for c in SLUG_WORDS if len({a, b, c}) == 3)
    per_section = (pages - 600) // len(SECTIONS)
    for s_index, section in enumerate(SECTIONS):
        subsections = [f"/{section}/omrade-{i}/" for i in range(8)]
        listing = f"/{section}/pagaende-projekt/"
        site[listing] = ("Pågående projekt", "<p>Projekt som kommunen driver eller deltar i.</p>", [])
        site[f"/{section}/"] = (section.capitalize(), ordinary_body(rng, section),
                                [(p, f"Område {p}") for p in subsections] + [(listing, "Pågående projekt")])
        leaves = per_section - len(subsections) - 1
        for i in range(leaves):
            sub = subsections[i % len(subsections)]
            group = f"{sub}grupp-{(i // len(subsections)) % 6}/"
            if group not in site:
                site[group] = (f"Grupp {group}", ordinary_body(rng, "Grupp"), [])
                site[sub] = site.get(sub, (f"Område {sub}", ordinary_body(rng, "Område"), []))
                site[sub][2].append((group, f"Grupp {group}"))
            is_project = (i * 7 + s_index) % 20 == 0
            if is_project:
                kind = rng.choice(["projekt", "eu-projekt", "utvecklingsprojekt", None])
                name = f"Satsning {section[:5]} {i}"
                path = f"{group}{kind}/{next(slugs)}" if kind else f"{group}{next(slugs)}"
                text = f"{name} – projektet finansieras av {FUNDERS[i % len(FUNDERS)]}" if not kind else name
                site[path] = (name, project_body(rng, name), [(group, "Tillbaka")])
                projects.add(path)
                if len(projects) % 10:
                    site[listing][2].append((path, name))
            else:
                path, text = f"{group}{next(slugs)}", f"Sida {i}"
                site[path] = (f"Sida {i} om {section}", ordinary_body(rng, f"Sida {i}"), [(group, "Tillbaka")])
            site[group][2].append((path, text))
    news = [f"/nyheter/{2019 + n % 6}/{next(slugs)}" for n in range(150)]
    for n, path in enumerate(news):
        site[path] = (f"Nyhet {n}", ordinary_body(rng, f"Nyhet {n}"), [("/nyheter/", "Alla nyheter")])
    site["/nyheter/"] = ("Nyheter", "", [(p, f"Nyhet {p}") for p in news])
    site["/kalender"] = ("Kalender", "", [(f"/kalender?datum=2024-{m:02d}-{d:02d}", f"{d}/{m}")
                                         for m in range(1, 13) for d in range(1, 29)])
    site["/"] = ("Välkommen", "<p>Välkommen till Benchby.</p>",
                 [(f"/{s}/", s) for s in SECTIONS] + [("/nyheter/", "Nyheter"), ("/kalender", "Kalender")])
    for path, (title, body, links) in site.items():
        file = root / (path.lstrip("/") + ("index.html" if path.endswith("/") else ".html"))
        file.parent.mkdir(parents=True, exist_ok=True)
        anchors = "".join(f'<p><a href="{href}">{text}</a></p>' for href, text in links)
        file.write_text(PAGE.format(title=title, nav=nav, body=body + anchors), "utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /sok\n", "utf-8")
    return projects


def crawl(sites_csv: Path, db: Path, max_pages: int) -> float:
    """Run one crawl in a child process; return its wall time in seconds."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "scraper", "crawl", "--sites", str(sites_csv), "--db", str(db),
                    "--max-pages", str(max_pages), "--no-progress"], check=True, cwd=REPO,
                   env={**os.environ, **LOOPBACK_CRAWL_ENV, "KOMMUNARKIV_CONCURRENT_PER_SITE": "8",
                        "KOMMUNARKIV_LOG_LEVEL": "WARNING"}, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def discovery_curve(paths: list[str], projects: set[str], shares: tuple[float, ...]) -> list[float]:
    """Share of the project pages among the first `share` of the page requests, for each share."""
    pages = [p for p in paths if not p.startswith(("/robots.txt", "/sitemap"))]
    return [len(projects & set(pages[: int(len(pages) * share)])) / len(projects) for share in shares]


def main() -> None:
    """Generate, serve, crawl twice and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        projects = generate_site(root / "sites" / "benchby", args.pages)
        html_files = sum(1 for _ in (root / "sites" / "benchby").rglob("*.html"))
        with serve_sites(root / "sites") as servers:
            server = servers["benchby"]
            sites_csv = root / "sites.csv"
            sites_csv.write_text(f"url,name\n{server.base_url}/,Benchby kommun\n", "utf-8")
            db = root / "archive.db"
            first_time = crawl(sites_csv, db, html_files + 500)
            first_paths = [r.path for r in server.requests]
            peak_first = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            server.requests.clear()
            second_time = crawl(sites_csv, db, html_files + 500)
            peak_both = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        conn = sqlite3.connect(db)
        runs = conn.execute("select pages_fetched, pages_unchanged, bytes_received from crawl_runs order by id").fetchall()
        found = conn.execute("select count(*) from pages where is_project_page").fetchone()[0]
        conn.close()
    (fetched1, _, bytes1), (fetched2, unchanged2, bytes2) = runs
    curve = discovery_curve(first_paths, {p.rstrip("/") for p in projects}, (0.1, 0.2, 0.5))
    print(f"site: {html_files} HTML files, {len(projects)} project pages ({len(projects) / html_files:.1%})")
    print(f"first crawl:  {fetched1} pages in {first_time:.1f} s, {bytes1 / 1e6:.2f} MB received; "
          f"{found} pages classified as project pages")
    print(f"re-crawl:     {fetched2} pages ({unchanged2} unchanged) in {second_time:.1f} s, {bytes2 / 1e6:.2f} MB")
    print(f"re-crawl / first: time {second_time / first_time:.1%} (goal <= 25 %), "
          f"bytes {bytes2 / bytes1:.1%} (goal <= 10 %)")
    print(f"peak memory (max RSS of a crawl process): {peak_first / 1024:.0f} MB first, "
          f"{peak_both / 1024:.0f} MB over both")
    print("project pages found after 10 / 20 / 50 % of the pages: "
          + " / ".join(f"{share:.0%}" for share in curve) + " (goal >= 90 % after 20 %)")


if __name__ == "__main__":
    main()
