"""Publishing an archive with Datasette, using the project's metadata.yml."""
from __future__ import annotations

import tempfile
from pathlib import Path

METADATA = Path(__file__).resolve().parent.parent / "metadata.yml"
DATASETTE_SETTINGS = {"sql_time_limit_ms": "3000", "default_page_size": "50", "facet_time_limit_ms": "500",
                      "allow_download": "off"}


def metadata_for(db: Path) -> Path:
    """metadata.yml for an archive: the committed one for archive.db, else one generated for its name."""
    if db.stem == "archive":
        return METADATA
    from scraper.metadata import render_metadata

    path = Path(tempfile.mkdtemp(prefix="kommunarkiv-")) / "metadata.yml"
    path.write_text(render_metadata(db.stem), encoding="utf-8")
    return path


def datasette_args(db: Path, host: str, port: int) -> list[str]:
    """Arguments for `datasette serve` on the archive: metadata, safe settings."""
    args = ["serve", str(db), "--metadata", str(metadata_for(db)), "--host", host, "--port", str(port)]
    for key, value in DATASETTE_SETTINGS.items():
        args += ["--setting", key, value]
    return args


def serve_archive(db: Path, host: str, port: int) -> None:
    """Run Datasette on the archive until interrupted."""
    from datasette.cli import cli as datasette_cli

    datasette_cli.main(datasette_args(db, host, port), prog_name="datasette")
