"""The `kommunarkiv` command line: one click group, hyphenated subcommands."""
from __future__ import annotations

import json
import shlex
import sqlite3
import sys
from pathlib import Path

import click


class ArchiveGroup(click.Group):
    """The command group, turning an archive that cannot be read or written into a one-line error."""

    def invoke(self, ctx: click.Context) -> object:
        from pipelines.store import ArchiveError

        try:
            return super().invoke(ctx)
        except ArchiveError as error:
            raise click.ClickException(str(error)) from None
        except sqlite3.Error as error:
            raise click.ClickException(f"the archive cannot be used: {error}") from None


# Subcommands that live beside the code they drive, imported only when run (spaCy costs seconds to import):
# name -> ("module:attribute", short help for `--help`).
LAZY_COMMANDS = {
    "build-metadata": ("scraper.metadata:build_metadata_command",
                       "Write Datasette's metadata.yml from the schema's descriptions and metadata_base.yml."),
    "build-patterns": ("pipelines.extract.gazetteer:build_patterns",
                       "Generate the organisation patterns and registry from the reference data."),
    "train-ner": ("pipelines.ner.cli:train_ner_command",
                  "Train the Swedish NER model (PER/ORG/LOC/MISC) and print per-type test scores."),
}


class LazyGroup(ArchiveGroup):
    """A click group whose LAZY_COMMANDS are imported on first use; `--help` lists them from their short help."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS and name not in self.commands:
            import importlib

            module, attribute = LAZY_COMMANDS[name][0].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; a path that cannot be read or written ends in one line, exit 1."""
        try:
            return super().invoke(ctx)
        except OSError as error:
            raise click.ClickException(f"{error.strerror or error}: {error.filename or ''}".rstrip(": ")) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, LAZY_COMMANDS[name][1] if name in LAZY_COMMANDS and name not in self.commands
                 else self.commands[name].get_short_help_str(formatter.width - 20))
                for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def open_db(path: Path):
    """The archive at `path` (sqlite-utils Database); a missing folder or a file that is no archive: one-line error."""
    from pipelines.store import ArchiveError, archive_writable, check_archive_file, open_archive

    writable_folder(path, "--db")
    try:
        check_archive_file(path)
    except ArchiveError as error:
        raise click.ClickException(str(error)) from None
    if path.exists() and not archive_writable(path):
        raise click.ClickException(f"the archive {path} is read-only: this command needs to write to it")
    try:
        return open_archive(path)
    except (ArchiveError, sqlite3.DatabaseError) as error:
        raise click.ClickException(f"{path} is not a kommunarkiv archive ({error})") from None


def writable_folder(path: Path, option: str) -> None:
    """Fail with one line unless the folder `path` goes into exists."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise click.ClickException(f"{option} {path}: folder {folder} does not exist")


@click.group(cls=LazyGroup)
@click.version_option(package_name="kommunarkiv")
def cli() -> None:
    """kommunarkiv: crawl Swedish public-sector sites into a searchable archive of projects."""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def extract(files: tuple[Path, ...]) -> None:
    """Extract projects from saved pages (HTML, or .txt as main text); print JSON Lines, one record per file.

    A file that cannot be read (missing, a directory, no permission, empty, binary, too large) gets a record with
    an "error" and one line on stderr; the others are still extracted. A page whose main text is cut (beyond
    100,000 characters) gets a "warning" and a stderr line. Exit status 0 when every file was read,
    1 when any was not.

    Example:

        kommunarkiv extract page1.html page2.txt > facts.jsonl
    """
    from pipelines.extract.files import extract_files

    failed = 0
    for record in extract_files(list(files)):
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        if record.get("error"):
            failed += 1
            sys.stdout.flush()
            click.echo(f"kommunarkiv extract: {record['file']}: {record['error']}", err=True)
        elif record.get("warning"):
            click.echo(f"kommunarkiv extract: {record['file']}: warning: {record['warning']}", err=True)
    if failed:
        sys.exit(1)


EXIT_BROKEN = 3  # the crawl finished but some site's yield collapsed: see the site_health view
EXIT_LOCKED = 4  # another crawl is writing to the archive: nothing was done
EXIT_UNSTORED = 5  # the crawl finished but some pages could not be written (crawl_errors kind 'store')
EXIT_INTERRUPTED = 130  # the crawl was stopped: continue it with --resume
SERVE_HOST, SERVE_PORT = "127.0.0.1", 8001  # where `serve` and `demo` publish an archive unless told otherwise


@cli.command()
@click.option("--site", "site_urls", multiple=True, metavar="URL", help="Start URL of a site (repeatable).")
@click.option("--sites", "sites_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV file with a 'url' column (optional 'name', 'kind', 'county', 'kommunkod'): other public "
                   "bodies such as Leader areas, kommunalförbund, samordningsförbund.")
@click.option("--all", "all_sites", is_flag=True, help="Every municipality, region and county board in the registry.")
@click.option("--county", metavar="CODE", help="The registry's municipalities, region and county board in a county "
                                               "(e.g. 25).")
@click.option("--municipality", "municipalities", multiple=True, metavar="NAME",
              help="A municipality by name or kommunkod (repeatable).")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=Path("archive.db"),
              show_default=True, help="Archive to write.")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Most pages fetched per site [500].")
@click.option("--resume", is_flag=True, help="Continue the archive's interrupted crawl (its sites and budget).")
@click.option("--remove-after", type=click.IntRange(min=1), default=None,
              help="Mark a page removed after this many complete crawls without it [3].")
@click.option("--progress/--no-progress", default=None, help="Status line on stderr [on when it is a terminal].")
@click.option("--redis", "redis_url", metavar="URL",
              help="Run as one worker of a distributed crawl sharing its frontier in Redis (redis://HOST:PORT/N); "
                   "pages go to `kommunarkiv store --redis URL`, which writes the archive.")
def crawl(site_urls: tuple[str, ...], sites_file: Path | None, all_sites: bool, county: str | None,
          municipalities: tuple[str, ...], db: Path, max_pages: int | None, resume: bool, remove_after: int | None,
          progress: bool | None, redis_url: str | None) -> None:
    """Crawl sites into the archive: sitemaps and links, robots.txt obeyed, project pages extracted.

    Re-crawls send If-None-Match / If-Modified-Since, keep each page's text versions and raw
    responses, and mark pages gone (404/410, or absent from --remove-after crawls) as removed.
    Exit status: 0 done, 1 error, 2 usage error, 3 a site looks broken (see the site_health
    view), 4 another crawl is writing to the archive, 5 pages could not be written to the archive,
    130 interrupted (run again with --resume).

    Example:

        kommunarkiv crawl --municipality Gällivare --max-pages 200

        kommunarkiv crawl --all --redis redis://10.0.0.5:6379/0   (on each worker machine)
    """
    writable_folder(db, "--db")
    from scraper.crawl import CrawlError, CrawlLocked, run_crawl, run_worker
    from scraper.sites import SiteError, read_sites_csv, registry_organisations, site_for_url, sites_for_organisations

    try:
        sites = [site_for_url(url) for url in site_urls] + (read_sites_csv(sites_file) if sites_file else [])
        if all_sites or county or municipalities:
            sites += sites_for_organisations(registry_organisations(county, None, municipalities))
    except SiteError as error:
        raise click.ClickException(str(error)) from None
    if not sites and not resume:
        raise click.UsageError("name sites with --site, --sites, --all, --county or --municipality (or --resume)")
    overrides = {key: value for key, value in (("KOMMUNARKIV_REMOVE_AFTER", remove_after),
                 ("KOMMUNARKIV_PROGRESS", None if progress is None else "always" if progress else "never"))
                 if value is not None}
    if redis_url:
        if resume:
            raise click.UsageError("--resume is for one machine; a distributed crawl keeps its frontier in Redis")
        try:
            report = run_worker(sites, redis_url, max_pages, overrides)
        except CrawlError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"Worker {'finished' if report.finished else 'stopped'}: "
                   f"{report.stats.get('response_received_count', 0)} responses.", err=True)
        sys.exit(0 if report.finished else EXIT_INTERRUPTED)
    try:
        report = run_crawl(sites, db, max_pages, overrides, resume=resume)
    except CrawlLocked as error:
        click.echo(f"Error: {error} (exit status {EXIT_LOCKED})", err=True)
        sys.exit(EXIT_LOCKED)
    except CrawlError as error:
        raise click.ClickException(str(error)) from None
    _print_crawl_summary(db, report)
    if not report.finished:
        click.echo(f"Interrupted: the pages above are stored; their projects are extracted when the crawl completes: "
                   f"kommunarkiv crawl --resume --db {shlex.quote(str(db))}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if report.unstored:
        click.echo(f"Error: {report.unstored} pages or errors could not be written to the archive {db} "
                   f"(crawl_errors kind 'store'; the next crawl fetches them again)", err=True)
        sys.exit(EXIT_UNSTORED)
    if report.broken:
        sys.exit(EXIT_BROKEN)


def _print_crawl_summary(db: Path, report) -> None:
    """What the run fetched, what the archive now holds (one labelled line per count), where to browse it, and
    which sites look broken."""
    from pipelines.merge import count_lines, project_counts
    from pipelines.store import open_archive

    archive = open_archive(db)
    run = archive.table("crawl_runs").get(report.run_id)
    counts = project_counts(archive)
    archive.close()
    click.echo(f"Crawl run {report.run_id} {run['status']}: {run['pages_fetched'] or 0} pages answered "
               f"({run['pages_new'] or 0} new, {run['pages_changed'] or 0} changed, {run['pages_unchanged'] or 0} "
               f"unchanged), {run['pages_removed'] or 0} removed, {run['errors'] or 0} errors.", err=True)
    click.echo(f"The archive {db} holds:", err=True)
    for line in count_lines(counts):
        click.echo(f"  {line}", err=True)
    click.echo(_browse_hint(db), err=True)
    for site in report.broken:
        click.echo(f"BROKEN site {site['site_id']}: {site['problem']}", err=True)


def _browse_hint(db: Path) -> str:
    """How to look at an archive: the serve command and the project list's address it will serve."""
    from scraper.publish import archive_urls

    return (f"Browse it: kommunarkiv serve --db {shlex.quote(str(db))}, then "
            f"{archive_urls(db, SERVE_HOST, SERVE_PORT)['projects']}")


@cli.command()
@click.option("--redis", "redis_url", metavar="URL", required=True, help="The distributed crawl (redis://HOST:PORT/N).")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=Path("archive.db"),
              show_default=True, help="Archive to write.")
@click.option("--batch", type=click.IntRange(min=1), default=200, show_default=True,
              help="Pages stored per transaction.")
@click.option("--remove-after", type=click.IntRange(min=1), default=3, show_default=True,
              help="Mark a page removed after this many complete crawls without it.")
def store(redis_url: str, db: Path, batch: int, remove_after: int) -> None:
    """Write a distributed crawl's pages into the archive: the one writer, until the crawl is done.

    Start it beside the workers (`kommunarkiv crawl --redis URL ...`); it may be stopped and started again.
    Exit status as for crawl: 0 done, 3 a site looks broken.

    Example:

        kommunarkiv store --redis redis://10.0.0.5:6379/0 --db archive.db
    """
    from redis.exceptions import ConnectionError as RedisConnectionError

    import logging
    import os

    from scraper.crawl import CrawlError, CrawlLocked
    from scraper.writer import run_writer

    logging.basicConfig(level=os.environ.get("KOMMUNARKIV_LOG_LEVEL", "INFO"),
                        format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")

    try:
        report = run_writer(redis_url, db, batch=batch, remove_after=remove_after)
    except (RedisConnectionError, ValueError) as error:
        raise click.ClickException(f"cannot reach Redis at {redis_url}: {error}") from None
    except CrawlLocked as error:
        click.echo(f"Error: {error} (exit status {EXIT_LOCKED})", err=True)
        sys.exit(EXIT_LOCKED)
    except CrawlError as error:
        raise click.ClickException(str(error)) from None
    _print_crawl_summary(db, report)
    if report.broken:
        sys.exit(EXIT_BROKEN)


@cli.command()
@click.option("--county", metavar="CODE", help="Only this county (code, e.g. 25, or name).")
@click.option("--kind", help="Only this kind (municipality, region, county_board, agency, leader_area...) "
                             "[municipality, region, county_board].")
@click.option("--sites", "sites_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Also list the public bodies in this CSV ('url', optional 'name', 'kind', 'county', 'kommunkod').")
@click.option("--check", is_flag=True, help="Validate the whole registry offline instead; exit 1 on a problem.")
def sites(county: str | None, kind: str | None, sites_file: Path | None, check: bool) -> None:
    """List the sites `crawl --all` (and --sites FILE) would crawl, by kind and county (tab-separated: id, kind,
    name, county code, start URL); a count per kind on stderr.

    Example:

        kommunarkiv sites --county 25 --kind municipality

        kommunarkiv sites --sites leader_areas.csv --kind leader_area
    """
    from collections import Counter

    from scraper.sites import (SiteError, check_registry, county_of, known_kinds, load_registry, read_sites_csv,
                               registry_organisations, site_listing, sites_for_organisations)

    if check:
        problems = check_registry(list(load_registry().by_id.values()))
        for problem in problems:
            click.echo(problem, err=True)
        if problems:
            raise click.ClickException(f"{len(problems)} problems in the registry")
        click.echo("Registry OK: every municipality present, hosts well-formed and unique.", err=True)
        return
    if kind and kind not in known_kinds():
        raise click.BadParameter(f"{kind!r} is not one of {', '.join(known_kinds())}", param_hint="'--kind'")
    try:
        listed = sites_for_organisations(registry_organisations(county, kind))
        extra = read_sites_csv(sites_file) if sites_file else []
        county_code = county_of(county)[0] if county else None
    except SiteError as error:
        raise click.ClickException(str(error)) from None
    listed += [site for site in extra if (not kind or site["kind"] == kind) and
               (not county_code or site["county_code"] == county_code)]
    for site in site_listing(listed):
        click.echo("\t".join([site["id"], site["kind"], site["name"], site["county_code"] or "", site["base_url"]]))
    counts = Counter(site["kind"] for site in listed)
    click.echo(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + f": {len(listed)} sites", err=True)


@cli.command()
@click.option("--db", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=Path("archive.db"),
              show_default=True, help="Archive to rebuild.")
@click.option("--pending", is_flag=True, help="Only pages not yet read by the current extractor (what crawl does).")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Worker processes [one per core].")
def reextract(db: Path, pending: bool, workers: int | None) -> None:
    """Rebuild every project from the raw pages kept in the archive, with the current extractor; no crawling.

    Example:

        kommunarkiv reextract --db archive.db
    """
    from pipelines.merge import count_lines, project_counts
    from pipelines.reextract import run_stage
    from scraper.crawl import CrawlError, archive_lock

    open_db(db).close()  # a file that is no archive fails here, before a lock file is left beside it
    try:
        with archive_lock(db):  # not while a crawl writes to it
            archive = open_db(db)
            pages, _ = run_stage(archive, everything=not pending, workers=workers)
            counts = project_counts(archive)
            archive.close()
    except CrawlError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Re-extracted {pages} pages. The archive {db} holds:", err=True)
    for line in count_lines(counts):
        click.echo(f"  {line}", err=True)


@cli.command()
@click.option("--db", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=Path("archive.db"),
              show_default=True, help="Archive whose projects to merge.")
@click.option("--undo", is_flag=True, help="Undo every merge: each page's description a project of its own again.")
def merge(db: Path, undo: bool) -> None:
    """Merge descriptions of the same project (a listing and its own page, several sites) into one project.

    Runs after every crawl and re-extraction; project_sources says which rule merged what.

    Example:

        kommunarkiv merge --db archive.db
    """
    from pipelines.merge import merge_projects, unmerge_projects

    archive = open_db(db)
    if undo:
        click.echo(f"Undid {unmerge_projects(archive)} merges.", err=True)
    else:
        counts = merge_projects(archive)
        rules = ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items()) if rule not in ("projects", "descriptions"))
        click.echo(f"{counts.get('descriptions', 0)} descriptions are {counts.get('projects', 0)} projects ({rules}).",
                   err=True)
    archive.close()


@cli.command()
@click.option("--db", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=Path("archive.db"),
              show_default=True, help="Archive to serve.")
@click.option("--host", default=SERVE_HOST, show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=SERVE_PORT, show_default=True)
@click.option("--public", is_flag=True, help="Serve a copy without contact names, e-mails and phones (roles kept).")
def serve(db: Path, host: str, port: int, public: bool) -> None:
    """Publish an archive with Datasette, read-only: search, facets, map, chart, CSV/JSON export.

    The suppression list (suppressions.csv or $KOMMUNARKIV_SUPPRESSIONS) is applied first.

    Example:

        kommunarkiv serve --db archive.db --port 8001

        kommunarkiv serve --db archive.db --public --host 0.0.0.0
    """
    _serve(db, host, port, public)


def _serve(db: Path, host: str, port: int, public: bool = False) -> None:
    """Serve the archive until interrupted, first saying where (Datasette names it after the file's stem)."""
    from scraper.publish import PublishError, serve_archive

    try:
        serve_archive(db, host, port, public, announce=lambda line: click.echo(line, err=True))
    except PublishError as error:
        raise click.ClickException(str(error)) from None


@cli.command()
@click.option("--db", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=Path("archive.db"),
              show_default=True, help="Archive to publish.")
@click.option("--target", type=click.Choice(["package", "cloudrun"]), default="package", show_default=True,
              help="`datasette package` (a Docker image) or `datasette publish cloudrun`.")
@click.option("--public", is_flag=True, help="Publish a copy without contact names, e-mails and phones.")
@click.option("--run", is_flag=True, help="Run the command instead of printing it (needs Docker or gcloud).")
def publish(db: Path, target: str, public: bool, run: bool) -> None:
    """Print (or run) the `datasette package` / `datasette publish` command with serve's metadata, plugins and settings.

    Example:

        kommunarkiv publish --db archive.db --public

        kommunarkiv publish --db archive.db --public --target cloudrun --run
    """
    import subprocess

    from scraper.publish import PublishError, prepare, publish_args

    try:
        command = ["datasette", *publish_args(prepare(db, public), target, public)]
    except PublishError as error:
        raise click.ClickException(str(error)) from None
    if not run:
        click.echo(shlex.join(command))
        return
    subprocess.run(command, check=True)


@cli.command()
@click.option("--db", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=Path("archive.db"),
              show_default=True, help="Archive to export from.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--county", help="Only projects in this county: code, name or short name ('25', 'Norrbottens län', "
              "'Norrbotten').")
@click.option("--funder", help="Only projects with this funder: a funding source by any of its names ('ESF', "
              "'socialfond', 'Regionalfonden') or words of a funder's name.")
@click.option("--excel", is_flag=True, help="CSV for Excel: UTF-8 with BOM, ';' between fields.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write [projects.csv or projects.json].")
def export(db: Path, fmt: str, county: str | None, funder: str | None, excel: bool, output: Path | None) -> None:
    """Export projects (one row each, with status, owner, funders, partners) and a data dictionary beside them.

    Example:

        kommunarkiv export --county "Norrbottens län" --excel --output norrbotten.csv

        kommunarkiv export --format json --funder socialfond
    """
    from pipelines.store import open_archive_readonly
    from scraper.export import ExportError, dictionary_path, export as write_export

    if excel and fmt != "csv":
        raise click.UsageError("--excel applies to --format csv")
    output = output or Path(f"projects.{fmt}")
    writable_folder(output, "--output")
    archive = open_archive_readonly(db)
    try:
        count = write_export(archive, output, fmt, county, funder, excel)
    except ExportError as error:
        raise click.ClickException(str(error)) from None
    finally:
        archive.close()
    click.echo(f"Wrote {count} project{'' if count == 1 else 's'} to {output} and the data dictionary to "
               f"{dictionary_path(output)}", err=True)


@cli.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=Path("archive.db"),
              show_default=True, help="Archive to build.")
@click.option("--no-serve", is_flag=True, help="Build the archive and exit.")
@click.option("--port", type=click.IntRange(1, 65535), default=SERVE_PORT, show_default=True,
              help="Port for Datasette.")
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
        _serve(db, SERVE_HOST, port)

