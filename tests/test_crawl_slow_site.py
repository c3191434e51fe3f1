"""A slow, hostile site does not hold up the rest of the crawl: downloads never wait for NLP.

Two generated sites are crawled together: an ordinary one of small pages, and a slow one (each answer waits) whose
pages carry about 100,000 characters of main text, expensive to extract. The ordinary site's server logs when each
request arrives; while extraction ran on the crawl's event loop, each hostile page stopped every download for
seconds. The test counts the ordinary site's requests over time, then checks that the hostile pages were extracted.
"""
from __future__ import annotations

import os
import random
import sqlite3
import subprocess

import pytest

from conftest import REPO
from scraper.demo import LOOPBACK_CRAWL_ENV, crawl_command, write_sites_csv
from scraper.sample_server import serve_sites

ORDINARY, HOSTILE = "gallivare", "overtornea"  # sample-site slugs, for their registry rows in the sites file
ORDINARY_PAGES = 40
HOSTILE_PAGES = 3
HOSTILE_CHARS = 100_000
WINDOW = 3.0  # seconds: the ordinary site must get a request in every window of its crawl
PAGE = ("<!DOCTYPE html><html lang='sv'><head><meta charset='utf-8'><title>{title}</title></head>"
        "<body><nav><a href='/'>Start</a></nav><main><h1>{title}</h1>{body}</main></body></html>")
NAMES = ["Region Norrbotten", "Tillväxtverket", "Luleå kommun", "Europeiska socialfonden", "Vinnova",
         "Föreningen Norrsken", "Stiftelsen Älvdalen", "Kiruna kommun", "Leader Polarital", "Interreg Aurora"]
CUES = ["Projektet finansieras av {a} och {b}.", "{a} är projektägare och driver arbetet tillsammans med {b}.",
        "I projektet deltar {a}, {b} och {c}.", "{a} bidrar med 3 600 000 kronor till {b}.",
        "Arbetet sker i samverkan med {a} och {b} under 2024 och 2025."]


def hostile_body(rng: random.Random) -> str:
    """About HOSTILE_CHARS of invented prose, dense with organisation names and role cues."""
    paragraphs, size = [], 0
    while size < HOSTILE_CHARS:
        text = " ".join(rng.choice(CUES).format(a=rng.choice(NAMES), b=rng.choice(NAMES), c=rng.choice(NAMES))
                        for _ in range(6))
        paragraphs.append(f"<p>{text}</p>")
        size += len(text)
    return "".join(paragraphs)


def write_site(root, pages: dict[str, str]) -> None:
    """Write an index linking to every page, and the pages."""
    root.mkdir(parents=True)
    links = "".join(f"<p><a href='/{name}.html'>{name}</a></p>" for name in pages)
    (root / "index.html").write_text(PAGE.format(title="Start", body=links), "utf-8")
    for name, body in pages.items():
        (root / f"{name}.html").write_text(PAGE.format(title=name, body=body), "utf-8")


@pytest.mark.slow
def test_a_slow_hostile_site_does_not_stop_the_ordinary_sites_downloads(tmp_path):
    rng = random.Random(10)
    sites = tmp_path / "sites"
    write_site(sites / ORDINARY, {f"sida-{n}": f"<p>Sida {n} om kommunens service och öppettider.</p>"
                                    for n in range(ORDINARY_PAGES)})
    write_site(sites / HOSTILE, {f"projekt-{n}": hostile_body(rng) for n in range(HOSTILE_PAGES)})
    db = tmp_path / "archive.db"
    with serve_sites(sites) as servers:
        servers[HOSTILE].delay = 0.5
        sites_csv = write_sites_csv(tmp_path / "sites.csv", {slug: s.base_url for slug, s in servers.items()})
        env = {**os.environ, **LOOPBACK_CRAWL_ENV, "KOMMUNARKIV_DOWNLOAD_DELAY": "0.25"}
        result = subprocess.run(crawl_command(sites_csv, db), capture_output=True, text=True, timeout=900, env=env,
                                cwd=REPO)
        ordinary = [r.at for r in servers[ORDINARY].requests]
        hostile = [r for r in servers[HOSTILE].requests if r.path.startswith("/projekt-")]
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(hostile) == HOSTILE_PAGES and len(ordinary) >= ORDINARY_PAGES
    assert hostile[0].at < ordinary[-1]  # the hostile pages came in while the ordinary site was being crawled
    windows = int((ordinary[-1] - ordinary[0]) // WINDOW) + 1
    counts = [0] * windows
    for at in ordinary:
        counts[int((at - ordinary[0]) // WINDOW)] += 1
    assert all(counts), f"windows of {WINDOW} s without a request to the ordinary site: {counts}"
    conn = sqlite3.connect(db)
    extracted = conn.execute("select count(*) from pages where url like '%/projekt-%' and is_project_page = 1 "
                             "and extractor_version is not null").fetchone()[0]
    conn.close()
    assert extracted == HOSTILE_PAGES
