"""The `kommunarkiv` command line: one click group, hyphenated subcommands."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.group()
@click.version_option(package_name="kommunarkiv")
def cli() -> None:
    """kommunarkiv: crawl Swedish public-sector sites into a searchable archive of projects."""


def _add_commands() -> None:
    """Subcommands that live beside the code they drive."""
    from pipelines.extract.gazetteer import build_patterns
    from pipelines.ner.cli import train_ner_command
    from scraper.metadata import build_metadata_command

    cli.add_command(build_metadata_command)
    cli.add_command(build_patterns)
    cli.add_command(train_ner_command)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def extract(files: tuple[Path, ...]) -> None:
    """Extract projects from saved pages (HTML, or .txt as main text); print JSON Lines.

    Example:

        kommunarkiv extract page1.html page2.txt > facts.jsonl
    """
    from pipelines.extract.files import extract_files

    for record in extract_files(list(files)):
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


@cli.command()
@click.option("--site", "site_urls", multiple=True, metavar="URL", help="Start URL of a site (repeatable).")
@click.option("--sites", "sites_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV file with a 'url' column (optional 'kommunkod', 'name').")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=Path("archive.db"),
              show_default=True, help="Archive to write.")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Most pages fetched per site [500].")
def crawl(site_urls: tuple[str, ...], sites_file: Path | None, db: Path, max_pages: int | None) -> None:
    """Crawl sites into the archive: sitemaps and links, robots.txt obeyed, project pages extracted.

    Example:

        kommunarkiv crawl --site https://www.gellivare.se --max-pages 200
    """
    from scraper.crawl import run_crawl
    from scraper.sites import SiteError, read_sites_csv, site_for_url

    try:
        sites = [site_for_url(url) for url in site_urls] + (read_sites_csv(sites_file) if sites_file else [])
    except SiteError as error:
        raise click.ClickException(str(error)) from None
    if not sites:
        raise click.UsageError("name at least one site with --site URL or --sites FILE")
    stats = run_crawl(sites, db, max_pages)
    _print_crawl_summary(db, stats)


def _print_crawl_summary(db: Path, stats: dict) -> None:
    """One line on what the crawl fetched and what the archive now holds."""
    from pipelines.store import open_archive

    archive = open_archive(db)
    projects = archive.execute("select count(*) from projects").fetchone()[0]
    project_pages = archive.execute("select count(*) from pages where is_project_page").fetchone()[0]
    errors = archive.execute("select count(*) from crawl_errors").fetchone()[0]
    archive.close()
    click.echo(f"Fetched {stats.get('item_scraped_count', 0)} pages; archive {db} holds "
               f"{project_pages} project pages, {projects} projects, {errors} logged errors.", err=True)


@cli.command()
@click.option("--db", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=Path("archive.db"),
              show_default=True, help="Archive to serve.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8001, show_default=True)
def serve(db: Path, host: str, port: int) -> None:
    """Publish an archive with Datasette: search, facets, CSV/JSON export.

    Example:

        kommunarkiv serve --db archive.db --port 8001
    """
    from scraper.publish import serve_archive

    serve_archive(db, host, port)


@cli.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=Path("archive.db"),
              show_default=True, help="Archive to build.")
@click.option("--no-serve", is_flag=True, help="Build the archive and exit.")
@click.option("--port", type=int, default=8001, show_default=True, help="Port for Datasette.")
def demo(db: Path, no_serve: bool, port: int) -> None:
    """Serve the bundled sample sites on loopback, crawl them into an archive, and publish it.

    Example:

        kommunarkiv demo --no-serve --db /tmp/demo.db
    """
    from scraper.demo import DemoError, build_demo_archive

    try:
        build_demo_archive(db)
    except DemoError as error:
        raise click.ClickException(str(error)) from None
    if not no_serve:
        from scraper.publish import serve_archive

        serve_archive(db, "127.0.0.1", port)


_add_commands()
