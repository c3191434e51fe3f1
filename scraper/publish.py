"""Publishing an archive with Datasette: the project's metadata.yml, plugins and templates, read-only settings."""
from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from scraper.metadata import database_name, database_path, render_metadata

logger = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parent
PLUGINS_DIR = PACKAGE / "datasette_plugins"
TEMPLATES = PACKAGE / "templates"
# suggest_facets off: suggestions try a GROUP BY on every column of every table page, most of a page's time
# on a large archive (benchmarks/search.py); the useful facets are declared in metadata.yml.
DATASETTE_SETTINGS = {"sql_time_limit_ms": "3000", "default_page_size": "50", "facet_time_limit_ms": "500",
                      "allow_download": "off", "suggest_facets": "off"}
# Python packages the plugins need on a server built by `datasette package` / `datasette publish`.
PLUGIN_REQUIREMENTS = ["snowballstemmer"]
TARGETS = {"package": ["package", "--tag", "kommunarkiv"],
           "cloudrun": ["publish", "cloudrun", "--service", "kommunarkiv"]}


def metadata_for(db: Path, public: bool = False, folder: Path | None = None) -> Path:
    """metadata.yml for an archive, generated for its name (and edition) into `folder` (default: a new temporary
    folder, left for the printed `datasette publish` command to read).

    Generated, not the checkout's metadata.yml (the same text for archive.db), so an installed package serves too.
    """
    path = (folder or Path(tempfile.mkdtemp(prefix="kommunarkiv-"))) / "metadata.yml"
    path.write_text(render_metadata(database_name(db), public), encoding="utf-8")
    return path


def archive_urls(db: Path, host: str, port: int) -> dict[str, str]:
    """Where `serve` publishes an archive on host:port: {"database": its tables, "projects": project_overview,
    "search": the project search page}. Datasette serves the archive under its file stem (database_name), so
    `--db kommuner.db` is at /kommuner, not /archive."""
    base = f"http://{f'[{host}]' if ':' in host else host}:{port}"
    database = base + database_path(database_name(db))
    return {"database": database, "projects": database + "/project_overview", "search": base + "/-/sok"}


# The public edition runs no SQL of the visitor's: canned queries and table views only.
PUBLIC_SETTINGS = {"default_allow_sql": "off"}


def setting_args(public: bool = False) -> list[str]:
    """`--setting key value` for each of DATASETTE_SETTINGS (and PUBLIC_SETTINGS for the public edition)."""
    settings = {**DATASETTE_SETTINGS, **(PUBLIC_SETTINGS if public else {})}
    return [arg for key, value in settings.items() for arg in ("--setting", key, value)]


def datasette_args(db: Path, host: str, port: int, public: bool = False, folder: Path | None = None) -> list[str]:
    """Arguments for `datasette serve`: metadata (written into `folder`, see metadata_for), plugins, templates,
    safe settings.

    A public copy, and an archive that cannot be written (read-only file or mount), are served immutable;
    any other archive read-only (Datasette opens it mode=ro), so a running crawl's pages appear.
    """
    from pipelines.store import archive_writable

    immutable = public or not archive_writable(db)
    return ["serve", *(["-i", str(db)] if immutable else [str(db)]), "--metadata",
            str(metadata_for(db, public, folder)), "--plugins-dir", str(PLUGINS_DIR), "--template-dir", str(TEMPLATES),
            "--host", host, "--port", str(port), *setting_args(public)]


def publish_args(db: Path, target: str, public: bool = False) -> list[str]:
    """Arguments for `datasette package` or `datasette publish cloudrun` with what `serve` uses."""
    installs = [arg for requirement in PLUGIN_REQUIREMENTS for arg in ("--install", requirement)]
    return [*TARGETS[target], str(db), "--metadata", str(metadata_for(db, public)), "--plugins-dir", str(PLUGINS_DIR),
            "--template-dir", str(TEMPLATES), *installs, "--extra-options", " ".join(setting_args(public))]


class PublishError(RuntimeError):
    """An archive that cannot be published as asked (one line for the user)."""


def prepare(db: Path, public: bool, folder: Path | None = None) -> Path:
    """The file to publish: a public copy without personal data (in `folder`, default a new temporary folder left
    for the printed `datasette publish` command), or the archive with its suppressions applied.

    The archive is only read (SQLite mode=ro), unless it lacks part of the declared shape or holds suppressed
    contacts: then, if it can be written, it is migrated and the suppressions applied; if it cannot (a
    read-only mount), an older shape is served as it is, and pending suppressions raise PublishError.
    """
    from pipelines.store import archive_writable, open_archive, open_archive_readonly, shape_is_current
    from scraper.public import honour_suppressions, pending_suppressions, public_copy

    if public:
        return public_copy(db, folder or Path(tempfile.mkdtemp(prefix="kommunarkiv-public-")))
    archive = open_archive_readonly(db)
    current, pending = shape_is_current(archive), pending_suppressions(archive)
    archive.close()
    if current and not pending:
        return db
    if not archive_writable(db):
        if pending:
            raise PublishError(f"{db} is read-only and holds {pending} suppressed contacts: apply the suppression "
                               f"list on a writable copy first")
        logger.warning("%s is read-only and has an older shape: served as it is", db)
        return db
    archive = open_archive(db)  # brings an older archive up to the declared shape
    honour_suppressions(archive)
    archive.close()
    return db


def port_free(host: str, port: int) -> None:
    """PublishError (one line) unless a server could listen on host:port now (uvicorn would print a traceback)."""
    import socket

    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise PublishError(f"cannot serve on {host}:{port}: {error.strerror or error} "
                           "(stop what uses it or give another --port)") from None


def serve_archive(db: Path, host: str, port: int, public: bool = False,
                  announce: Callable[[str], None] | None = None) -> None:
    """Run Datasette on the archive (or its public copy) until interrupted; once the port and the archive are
    checked, `announce` is given one line saying where the archive is served (archive_urls). The public copy and
    the generated metadata live in a temporary folder removed when the server stops (Datasette exits by SystemExit,
    also on Ctrl-C and SIGTERM)."""
    from datasette.cli import cli as datasette_cli

    port_free(host, port)
    with tempfile.TemporaryDirectory(prefix="kommunarkiv-serve-") as work:
        served = prepare(db, public, Path(work))
        if announce:
            urls = archive_urls(db, host, port)
            announce(f"Serving {db} as the database {database_name(db)!r}: projects {urls['projects']}, "
                     f"search {urls['search']}, tables {urls['database']}")
        datasette_cli.main(datasette_args(served, host, port, public, Path(work)), prog_name="datasette")
