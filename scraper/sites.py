"""Which sites to crawl: URLs and CSV files resolved against the organisation registry."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipelines.extract.registry import Organisation, load_registry
from scraper.spiders.site import netloc


class SiteError(ValueError):
    """A site list or URL that cannot be crawled."""


def _registry_row(url: str, kommunkod: str | None) -> Organisation | None:
    """The registry organisation for a kommunkod, or else for the URL's website."""
    registry = load_registry()
    return (registry.get(f"kommun/{kommunkod}") if kommunkod else None) or registry.for_url(url)


def site_for_url(url: str, kommunkod: str | None = None, name: str | None = None) -> dict[str, Any]:
    """A site row for a start URL, named and placed from the registry where it is known."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SiteError(f"not an http(s) URL: {url!r}")
    base_url = f"{parts.scheme}://{parts.netloc}{parts.path or '/'}"
    org = _registry_row(url, kommunkod)
    code = kommunkod or (org.code if org and org.kind == "municipality" else None)
    return {
        "id": code or (org.id if org else netloc(url)),
        "name": name or (org.name if org else parts.hostname),
        "kind": org.kind if org else "other",
        "kommunkod": code,
        "county_code": (org.county_code if org else None) or None,
        "county": (org.county if org else None) or None,
        "base_url": base_url,
        "host": netloc(url),
    }


def read_sites_csv(path: Path) -> list[dict[str, Any]]:
    """Sites from a CSV file with a `url` column (and optional `kommunkod`, `name`)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "url" not in reader.fieldnames:
            raise SiteError(f"{path}: a sites file needs a 'url' column (found: {reader.fieldnames})")
        sites = []
        for line, row in enumerate(reader, start=2):
            if not (row.get("url") or "").strip():
                continue
            try:
                sites.append(site_for_url(row["url"], row.get("kommunkod") or None, row.get("name") or None))
            except SiteError as error:
                raise SiteError(f"{path}, line {line}: {error}") from None
    return sites
