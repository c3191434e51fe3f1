"""The offline demo: serve the bundled sample sites on loopback and crawl them into an archive."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from scraper.sample_server import SAMPLE_SITES, serve_sites

DEMO_FIRST_PORT = 8701  # fixed ports keep the sample pages' URLs, so a re-run updates rows instead of adding
LOOPBACK_CRAWL_ENV = {"KOMMUNARKIV_DOWNLOAD_DELAY": "0", "KOMMUNARKIV_AUTOTHROTTLE": "0"}


class DemoError(RuntimeError):
    """The demo could not build its archive."""


def sample_site_rows() -> list[dict[str, str]]:
    """The sample sites' registry rows (slug, kommunkod, name) from sample_sites/sites.csv."""
    with (SAMPLE_SITES / "sites.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def crawl_command(sites_csv: Path, db: Path, max_pages: int | None = None) -> list[str]:
    """The `kommunarkiv crawl` command line for a sites file."""
    command = [sys.executable, "-m", "scraper", "crawl", "--sites", str(sites_csv), "--db", str(db)]
    return command + (["--max-pages", str(max_pages)] if max_pages else [])


def write_sites_csv(path: Path, base_urls: dict[str, str]) -> Path:
    """A crawl's sites file for served sample sites: their loopback URLs with kommunkod and name."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["url", "kommunkod", "name"])
        writer.writeheader()
        for row in sample_site_rows():
            if row["slug"] in base_urls:
                writer.writerow({"url": base_urls[row["slug"]] + "/", "kommunkod": row["kommunkod"],
                                 "name": row["name"]})
    return path


def build_demo_archive(db: Path) -> None:
    """Serve the sample sites, crawl them into `db` in a child process, and stop the servers."""
    try:
        with serve_sites(first_port=DEMO_FIRST_PORT) as servers, tempfile.TemporaryDirectory() as tmp:
            sites_csv = write_sites_csv(Path(tmp) / "sites.csv", {slug: s.base_url for slug, s in servers.items()})
            subprocess.run(crawl_command(sites_csv, db), check=True, env={**os.environ, **LOOPBACK_CRAWL_ENV})
    except OSError as error:
        raise DemoError(f"cannot serve the sample sites on ports {DEMO_FIRST_PORT} and up: {error}") from None
    except subprocess.CalledProcessError as error:
        raise DemoError(f"the crawl of the sample sites failed (exit status {error.returncode})") from None
