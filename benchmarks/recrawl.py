"""Crawl cost beside a no-op Scrapy spider, re-crawl cost, peak memory and discovery order, on generated municipal
sites served on loopback (Nagle off), each size crawled in the same run by both spiders.

Pages are real: each generated page is one of the real municipal pages of ../shared/bench/maintext (those with one
<main>, median ~120 kB, ~4.6:1 gzip) with its links pointed nowhere and its <main> replaced by the generated text.
Per size and round it prints, with CPU seconds (the process and its extraction workers, from wait4) beside wall time:
- a no-op Scrapy spider that follows the same site's links and does nothing else: pages per CPU second;
- the full `kommunarkiv crawl` (fetch, clean, store, then the extraction stage): pages per CPU second and the ratio
  to the no-op spider (goal >= 0.50); `reextract --pending` costs nothing after it, `reextract` (all pages) is timed
  alone to show the extraction stage's share;
- the re-crawl of the unchanged site as a share of the first crawl's bytes and CPU (goals <= 10 %, <= 25 %);
- peak memory (max RSS of one process) of each crawl (goal: flat from 500 to 8,000 pages);
- the share of project pages found after 10, 20 and 50 % of the pages (goal: >= 90 % after 20 %; no sitemap).
Run: .venv/bin/python benchmarks/recrawl.py [--pages 500,2000] [--rounds 2]
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scraper.demo import LOOPBACK_CRAWL_ENV
from scraper.sample_server import serve_sites

REPO = Path(__file__).resolve().parents[1]
REAL_PAGES = REPO.parent / "shared" / "bench" / "maintext" / "html"
CRAWL_ENV = {**LOOPBACK_CRAWL_ENV, "KOMMUNARKIV_CONCURRENT_PER_SITE": "8", "KOMMUNARKIV_LOG_LEVEL": "WARNING"}
SECTIONS = ["barn-och-utbildning", "omsorg-och-stod", "bygga-bo-och-miljo", "kultur-och-fritid", "naringsliv",
            "kommun-och-politik", "trafik-och-infrastruktur", "arbete", "uppleva", "om-kommunen"]
FUNDERS = ["Europeiska socialfonden", "Europeiska regionala utvecklingsfonden", "Tillväxtverket",
           "Allmänna arvsfonden", "Leader Polarital", "Interreg Aurora", "Region Norrbotten"]
SLUG_WORDS = ["avgift", "ansokan", "bidrag", "skola", "vatten", "park", "kultur", "bibliotek", "trafik", "stod",
              "omsorg", "bygglov", "miljo", "idrott", "turism", "foretag", "arbete", "boende", "lokal", "natur"]
HREF_RE = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)("[^"]*"|'[^']*')""", re.I)
MAIN_RE = re.compile(r"(<main\b[^>]*>).*?(</main>)", re.I | re.S)
BASE_RE = re.compile(r"<base\b[^>]*>", re.I)
TITLE_RE = re.compile(r"<title>.*?</title>", re.I | re.S)


def real_templates(limit: int = 40) -> list[str]:
    """Real municipal pages with exactly one <main>, their links pointed nowhere: the furniture of generated pages."""
    out = []
    for path in sorted(REAL_PAGES.glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
        if len(re.findall(r"<main[\s>]", html)) == 1 and html.count("</main>") == 1 and len(html) < 400_000:
            out.append(HREF_RE.sub(r'\1"#"', BASE_RE.sub("", html)))
    return out[:limit]


def render(template: str, title: str, body: str) -> str:
    """A real page with the generated title and main content."""
    page = TITLE_RE.sub(lambda _: f"<title>{title} - Benchby kommun</title>", template, count=1)
    return MAIN_RE.sub(lambda m: f"{m.group(1)}<h1>{title}</h1>{body}{m.group(2)}", page, count=1)


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
    templates = real_templates()
    nav = "".join(f'<a href="/{s}/">{s.replace("-", " ").capitalize()}</a>' for s in SECTIONS)
    triples = [f"{a}-{b}-{c}" for a in SLUG_WORDS for b in SLUG_WORDS for c in SLUG_WORDS if len({a, b, c}) == 3]
    slugs = itertools.chain(triples, (f"{t}-{n}" for n in itertools.count(2) for t in triples))  # 6,840 a round
    news_count = max(20, pages // 13)
    per_section = (pages - news_count - 20 - 60) // len(SECTIONS)
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
    news = [f"/nyheter/{2019 + n % 6}/{next(slugs)}" for n in range(news_count)]
    for n, path in enumerate(news):
        site[path] = (f"Nyhet {n}", ordinary_body(rng, f"Nyhet {n}"), [("/nyheter/", "Alla nyheter")])
    site["/nyheter/"] = ("Nyheter", "", [(p, f"Nyhet {p}") for p in news])
    site["/kalender"] = ("Kalender", "", [(f"/kalender?datum=2024-{m:02d}-{d:02d}", f"{d}/{m}")
                                         for m in range(1, 13) for d in range(1, 29)])
    site["/"] = ("Välkommen", "<p>Välkommen till Benchby.</p>",
                 [(f"/{s}/", s) for s in SECTIONS] + [("/nyheter/", "Nyheter"), ("/kalender", "Kalender")])
    for n, (path, (title, body, links)) in enumerate(site.items()):
        file = root / (path.lstrip("/") + ("index.html" if path.endswith("/") else ".html"))
        file.parent.mkdir(parents=True, exist_ok=True)
        anchors = "".join(f'<p><a href="{href}">{text}</a></p>' for href, text in links)
        file.write_text(render(templates[n % len(templates)], title, f"<nav>{nav}</nav>{body}{anchors}"), "utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /sok\n", "utf-8")
    return projects


class Run:
    """One child process's wall and CPU seconds (its own and its waited-for workers') and peak RSS (MB)."""

    def __init__(self, command: list[str], env: dict[str, str] | None = None) -> None:
        wall = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **CRAWL_ENV, **(env or {})},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        self.wall = time.perf_counter() - wall
        self.cpu = usage.ru_utime + usage.ru_stime
        self.peak_mb = usage.ru_maxrss / 1024
        if process.returncode not in (0, 3):
            raise SystemExit(f"{' '.join(command)} failed with status {process.returncode}")


def crawl(sites_csv: Path, db: Path, max_pages: int) -> Run:
    """One `kommunarkiv crawl` (fetch, clean, store, extraction stage) in a child process."""
    return Run([sys.executable, "-m", "scraper", "crawl", "--sites", str(sites_csv), "--db", str(db),
                "--max-pages", str(max_pages), "--no-progress"])


def noop_crawl(base_url: str) -> Run:
    """The no-op Scrapy spider over the same site in a child process."""
    return Run([sys.executable, str(Path(__file__).resolve()), "--noop-spider", base_url])


def run_noop_spider(base_url: str) -> None:
    """A Scrapy spider that follows every link on the site and does nothing else (robots.txt obeyed, same settings
    for concurrency, retries and depth as the project's)."""
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.linkextractors import LinkExtractor
    from scrapy.settings import Settings

    class NoopSpider(scrapy.Spider):
        name = "noop"
        start_urls = [base_url]
        links = LinkExtractor(unique=True)

        def parse(self, response):
            if isinstance(response, scrapy.http.TextResponse):
                for link in self.links.extract_links(response):
                    if link.url.startswith(base_url):
                        yield scrapy.Request(link.url)

    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    settings.setdict({"ITEM_PIPELINES": {}, "EXTENSIONS": {}, "DOWNLOADER_MIDDLEWARES": {}, "LOG_LEVEL": "WARNING",
                      "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
                      "ROBOTSTXT_OBEY": True}, priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(NoopSpider)
    process.start()


def discovery_curve(paths: list[str], projects: set[str], shares: tuple[float, ...]) -> list[float]:
    """Share of the project pages among the first `share` of the page requests, for each share."""
    pages = [p for p in paths if not p.startswith(("/robots.txt", "/sitemap"))]
    return [len(projects & set(pages[: int(len(pages) * share)])) / len(projects) for share in shares]


def measure(pages: int, round_: int) -> None:
    """Generate a site of about `pages` pages, crawl it with the no-op spider and twice with kommunarkiv; print."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        projects = generate_site(root / "sites" / "benchby", pages)
        files = list((root / "sites" / "benchby").rglob("*.html"))
        size = sum(f.stat().st_size for f in files)
        with serve_sites(root / "sites") as servers:
            server = servers["benchby"]
            noop = noop_crawl(server.base_url + "/")
            noop_pages = sum(1 for r in server.requests if r.status == 200)
            server.requests.clear()
            sites_csv = root / "sites.csv"
            sites_csv.write_text(f"url,name\n{server.base_url}/,Benchby kommun\n", "utf-8")
            db = root / "archive.db"
            first = crawl(sites_csv, db, len(files) + 500)
            first_paths = [r.path for r in server.requests]
            server.requests.clear()
            second = crawl(sites_csv, db, len(files) + 500)
        stage = Run([sys.executable, "-m", "scraper", "reextract", "--db", str(db)])
        conn = sqlite3.connect(db)
        runs = conn.execute("select pages_fetched, pages_unchanged, bytes_received from crawl_runs order by id").fetchall()
        found = conn.execute("select count(*) from pages where is_project_page").fetchone()[0]
        conn.close()
    (fetched1, _, bytes1), (fetched2, unchanged2, bytes2) = runs
    curve = discovery_curve(first_paths, {p.rstrip("/") for p in projects}, (0.1, 0.2, 0.5))
    print(f"== {len(files)} pages (asked {pages}), round {round_}: {size / len(files) / 1000:.0f} kB per page, "
          f"{len(projects)} project pages, {found} classified as project pages")
    print(f"  no-op spider:  {noop_pages:5d} pages  wall {noop.wall:7.1f} s  cpu {noop.cpu:7.1f} s  "
          f"{noop_pages / noop.cpu:6.1f} pages/cpu-s  peak {noop.peak_mb:5.0f} MB")
    print(f"  first crawl:   {fetched1:5d} pages  wall {first.wall:7.1f} s  cpu {first.cpu:7.1f} s  "
          f"{fetched1 / first.cpu:6.1f} pages/cpu-s  peak {first.peak_mb:5.0f} MB  {bytes1 / 1e6:.1f} MB received")
    print(f"  ratio to no-op spider (pages per CPU second): {fetched1 / first.cpu / (noop_pages / noop.cpu):.2f} "
          f"(goal >= 0.50); extraction stage alone (reextract, all pages): cpu {stage.cpu:.1f} s, "
          f"crawl without it ~{(fetched1 / max(first.cpu - stage.cpu, 1e-9)) / (noop_pages / noop.cpu):.2f}")
    print(f"  re-crawl:      {fetched2:5d} pages ({unchanged2} unchanged)  wall {second.wall:7.1f} s  "
          f"cpu {second.cpu:7.1f} s  peak {second.peak_mb:5.0f} MB  {bytes2 / 1e6:.2f} MB")
    print(f"  re-crawl / first: bytes {bytes2 / bytes1:.1%} (goal <= 10 %), cpu {second.cpu / first.cpu:.1%} "
          f"(goal <= 25 %), wall {second.wall / first.wall:.1%}")
    print("  project pages found after 10 / 20 / 50 % of the pages: "
          + " / ".join(f"{share:.0%}" for share in curve) + " (goal >= 90 % after 20 %)", flush=True)


def main() -> None:
    """Measure each size, --rounds times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="500,2000", help="Comma-separated site sizes (8000 for the memory curve).")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--noop-spider", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.noop_spider:
        run_noop_spider(args.noop_spider)
        return
    for pages in (int(p) for p in args.pages.split(",")):
        for round_ in range(1, args.rounds + 1):
            measure(pages, round_)


if __name__ == "__main__":
    main()
