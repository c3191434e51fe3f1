"""Publishing an archive with Datasette: the project's metadata.yml, plugins and templates, read-only settings."""
from __future__ import annotations

import tempfile
from pathlib import Path

from scraper.metadata import render_metadata

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


def metadata_for(db: Path, public: bool = False) -> Path:
    """metadata.yml for an archive, generated for its name (and edition) into a new temporary folder.

    Generated, not the checkout's metadata.yml (the same text for archive.db), so an installed package serves too.
    """
    path = Path(tempfile.mkdtemp(prefix="kommunarkiv-")) / "metadata.yml"
    path.write_text(render_metadata(db.stem, public), encoding="utf-8")
    return path


def setting_args() -> list[str]:
    """`--setting key value` for each of DATASETTE_SETTINGS."""
    return [arg for key, value in DATASETTE_SETTINGS.items() for arg in ("--setting", key, value)]


def datasette_args(db: Path, host: str, port: int, public: bool = False) -> list[str]:
    """Arguments for `datasette serve`: metadata, plugins, templates, safe settings; a public copy is immutable."""
    return ["serve", *(["-i", str(db)] if public else [str(db)]), "--metadata", str(metadata_for(db, public)),
            "--plugins-dir", str(PLUGINS_DIR), "--template-dir", str(TEMPLATES),
            "--host", host, "--port", str(port), *setting_args()]


def publish_args(db: Path, target: str, public: bool = False) -> list[str]:
    """Arguments for `datasette package` or `datasette publish cloudrun` with what `serve` uses."""
    installs = [arg for requirement in PLUGIN_REQUIREMENTS for arg in ("--install", requirement)]
    return [*TARGETS[target], str(db), "--metadata", str(metadata_for(db, public)), "--plugins-dir", str(PLUGINS_DIR),
            "--template-dir", str(TEMPLATES), *installs, "--extra-options", " ".join(setting_args())]


def prepare(db: Path, public: bool) -> Path:
    """The file to publish: a public copy without personal data, or the archive with its suppressions applied."""
    from pipelines.store import open_archive
    from scraper.public import honour_suppressions, public_copy

    archive = open_archive(db)  # brings an older archive up to the declared shape
    if not public:
        honour_suppressions(archive)
    archive.close()
    return public_copy(db, Path(tempfile.mkdtemp(prefix="kommunarkiv-public-"))) if public else db


def serve_archive(db: Path, host: str, port: int, public: bool = False) -> None:
    """Run Datasette on the archive (or its public copy) until interrupted."""
    from datasette.cli import cli as datasette_cli

    db = prepare(db, public)
    datasette_cli.main(datasette_args(db, host, port, public), prog_name="datasette")
