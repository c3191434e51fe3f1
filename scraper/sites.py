"""Which sites to crawl: URLs and CSV files resolved against the organisation registry."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pipelines.extract.registry import Organisation, fold, load_registry
from pipelines.places import find_county
from pipelines.urls import netloc


class SiteError(ValueError):
    """A site list or URL that cannot be crawled."""


def _registry_row(url: str, kommunkod: str | None) -> Organisation | None:
    """The registry organisation for a kommunkod, or else for the URL's website."""
    registry = load_registry()
    return (registry.get(f"kommun/{kommunkod}") if kommunkod else None) or registry.for_url(url)


# Organisation kinds a sites file may give besides the registry's own (municipality, region, county_board...):
# the public bodies where many development projects live.
OTHER_BODY_KINDS = {
    "leader_area": "Leaderområde (local action group, EU rural and fisheries funds)",
    "kommunalforbund": "kommunalförbund (a federation of municipalities)",
    "samordningsforbund": "samordningsförbund (financial coordination of rehabilitation)",
    "regional_development": "regional development body (e.g. a regional council or development agency)",
    "other": "any other public body",
}


def site_for_url(url: str, kommunkod: str | None = None, name: str | None = None, kind: str | None = None,
                 county: str | None = None) -> dict[str, Any]:
    """A site row for a start URL, named and placed from the registry where it is known.

    `kind` (a registry kind or one of OTHER_BODY_KINDS) and `county` (code or name) override the
    registry's; a site's URL path is its scope (`https://lansstyrelsen.se/skane/` crawls only under /skane/).
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SiteError(f"not an http(s) URL: {url!r}")
    base_url = f"{parts.scheme}://{parts.netloc}{parts.path or '/'}"
    org = _registry_row(url, kommunkod)
    kind = kind or (org.kind if org else "other")
    if kind not in OTHER_BODY_KINDS and kind not in {o.kind for o in load_registry().by_id.values()}:
        raise SiteError(f"unknown organisation kind {kind!r} (known: {', '.join(known_kinds())})")
    county_code, county_name = county_of(county) if county else ((org.county_code, org.county) if org else ("", ""))
    code = kommunkod or (org.code if org and org.kind == "municipality" else None)
    path = parts.path.strip("/")
    return {
        "id": code or (org.id if org and kind == org.kind else netloc(url) + (f"/{path}" if path else "")),
        "name": name or (org.name if org else parts.hostname),
        "kind": kind,
        "kommunkod": code,
        "county_code": county_code or None,
        "county": county_name or None,
        "base_url": base_url,
        "host": netloc(url),
    }


def known_kinds() -> list[str]:
    """Every organisation kind a site may have: the registry's and OTHER_BODY_KINDS."""
    return sorted({o.kind for o in load_registry().by_id.values()} | set(OTHER_BODY_KINDS))


def county_of(county: str) -> tuple[str, str]:
    """(code, name) of a county given by code ("25"), name or short name ("Norrbottens län", "norrbotten"), as
    `export --county` reads it (pipelines.places.find_county); SiteError if none."""
    found = find_county(county)
    if not found:
        raise SiteError(f"no county {county!r} (give its code, e.g. 25, name or short name, e.g. Norrbotten)")
    return found


def read_sites_csv(path: Path) -> list[dict[str, Any]]:
    """Sites from a CSV file with a `url` column and optional `name`, `kind`, `county`, `kommunkod`.

    `kind` is a registry kind or one of OTHER_BODY_KINDS (leader_area, kommunalforbund,
    samordningsforbund, regional_development, other); `county` a county code or name.
    """
    text = _sites_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=_sites_dialect(text))
    if not reader.fieldnames or "url" not in reader.fieldnames:
        raise SiteError(f"{path}: a sites file needs a 'url' column (found: {reader.fieldnames})")
    sites = []
    for line, row in enumerate(reader, start=2):
        if not (row.get("url") or "").strip():
            continue
        try:
            sites.append(site_for_url(row["url"], row.get("kommunkod") or None, row.get("name") or None,
                                      (row.get("kind") or "").strip() or None,
                                      (row.get("county") or "").strip() or None))
        except SiteError as error:
            raise SiteError(f"{path}, line {line}: {error}") from None
    if not sites:
        raise SiteError(f"no sites in {path}")
    return sites


def _sites_text(path: Path) -> str:
    """A sites file's text: UTF-8 (with or without BOM), else cp1252 (what Swedish Excel saves); SiteError for a
    binary file."""
    data = path.read_bytes()
    if b"\x00" not in data:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise SiteError(f"{path} is not a CSV text file (UTF-8 or Windows-1252)")


def _sites_dialect(text: str) -> type[csv.Dialect]:
    """The CSV dialect of a sites file: ',' or ';' between fields (`export --excel` and Swedish Excel write ';')."""
    header = text.partition("\n")[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=",;")
    except csv.Error:
        return csv.excel


CRAWLED_KINDS = ("municipality", "region", "county_board")  # county boards: lansstyrelsen.se/<county>/, by path
HOST_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(/[a-z0-9._-]+)*$")
MUNICIPALITIES = 290
COUNTIES = 21


def site_for_organisation(org: Organisation) -> dict[str, Any]:
    """A site row for a registry organisation, starting at https://<host>/ (www. or not is the same site)."""
    code = org.code if org.kind == "municipality" else None
    host, _, path = org.host.partition("/")
    return {"id": code or org.id, "name": org.name, "kind": org.kind, "kommunkod": code,
            "county_code": org.county_code or None, "county": org.county or None,
            "base_url": f"https://{host}/{path + '/' if path else ''}", "host": host}


def _short_names(name: str) -> set[str]:
    """How people name an organisation for short: "Ovanåkers kommun" -> {"ovanakers", "ovanaker"}."""
    short = fold(name).removeprefix("region ").removesuffix(" kommun").removesuffix(" stad")
    return {fold(name), short, short.removesuffix("s")}


def registry_organisations(county: str | None = None, kind: str | None = None,
                           municipalities: tuple[str, ...] = ()) -> list[Organisation]:
    """Registry organisations with a website: of a kind (default: municipalities and regions), in a county,
    or the municipalities named (by name or kommunkod)."""
    orgs = [o for o in load_registry().by_id.values() if o.host]
    if municipalities:
        found = []
        for wanted in municipalities:
            matches = [o for o in orgs if o.kind == "municipality" and
                       (o.code == wanted.strip() or fold(wanted) in _short_names(o.name))]
            if not matches:
                raise SiteError(f"no municipality {wanted!r} in the registry (give its name or kommunkod)")
            found.extend(matches)
        return found
    if county:
        code = county_of(county)[0]
        orgs = [o for o in orgs if o.county_code == code]
    return [o for o in orgs if (o.kind == kind if kind else o.kind in CRAWLED_KINDS and o.county_code)]


def sites_for_organisations(orgs: list[Organisation]) -> list[dict[str, Any]]:
    """Site rows for organisations, one per website: Region Gotland is also the municipality of Gotland, so
    gotland.se is crawled once, as the first organisation listed (the municipality)."""
    sites: dict[str, dict[str, Any]] = {}
    for org in orgs:
        site = site_for_organisation(org)
        sites.setdefault(site["base_url"], site)
    return list(sites.values())


def site_listing(sites: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sites ordered by kind, then county code, then name (how `kommunarkiv sites` lists them)."""
    order = {kind: rank for rank, kind in enumerate(CRAWLED_KINDS)}
    return sorted(sites, key=lambda s: (order.get(s["kind"], len(order)), s["kind"], s.get("county_code") or "~",
                                        fold(s["name"] or "")))


def check_registry(orgs: list[Organisation]) -> list[str]:
    """Problems in the registry, offline: malformed hosts, a crawled host listed twice within a kind, missing
    municipalities. (Agencies may share a host: courts all live on domstol.se.)"""
    problems = [f"{o.id}: malformed host {o.host!r}" for o in orgs if o.host and not HOST_RE.match(o.host)]
    owners: dict[tuple[str, str], list[str]] = {}
    for org in orgs:
        if org.host and org.kind in (*CRAWLED_KINDS, "county_board"):
            owners.setdefault((org.kind, org.host), []).append(org.id)
    problems += [f"host {host} used by {', '.join(ids)}" for (_, host), ids in owners.items() if len(ids) > 1]
    municipalities = [o for o in orgs if o.kind == "municipality"]
    codes = [o.code for o in municipalities]
    problems += [f"{o.id}: kommunkod {o.code!r} is not 4 digits in county {o.county_code!r}" for o in municipalities
                 if not (re.fullmatch(r"\d{4}", o.code) and o.code[:2] == o.county_code)]
    problems += [f"{o.id}: no website host" for o in municipalities if not o.host]
    problems += [f"kommunkod {code} appears {codes.count(code)} times" for code in sorted(set(codes))
                 if codes.count(code) > 1]
    if len(set(codes)) != MUNICIPALITIES:
        problems.append(f"{len(set(codes))} municipalities, Sweden has {MUNICIPALITIES}")
    if len({o.county_code for o in municipalities}) != COUNTIES:
        problems.append(f"municipalities in {len({o.county_code for o in municipalities})} counties, "
                        f"Sweden has {COUNTIES}")
    return problems
