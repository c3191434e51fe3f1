"""Generate the organisation patterns and the organisation registry from the shared reference data.

Run `kommunarkiv build-patterns` after the reference data changes; commit both outputs as generated:
`pipelines/patterns/organisations.jsonl` (span_ruler patterns) and `pipelines/data/registry.csv`.
"""
from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import click
import spacy

from pipelines.urls import host_of, site_of

PACKAGE = Path(__file__).resolve().parents[1]
# The shared reference data beside the checkout (README: ../shared/data); only `build-patterns` reads it.
DEFAULT_DATA = PACKAGE.parent.parent / "shared" / "data"
PATTERNS_OUT = PACKAGE / "patterns" / "organisations.jsonl"
REGISTRY_OUT = PACKAGE / "data" / "registry.csv"
HAND_KEPT = PACKAGE / "data" / "extra_organisations.csv"  # funds, programmes, other actors, preferred names: by hand
REGISTRY_FIELDS = ["id", "kind", "name", "code", "county_code", "county", "host", "lat", "lon"]
UNIVERSITY_RE = re.compile(r"universitet|högskola", re.I)
COURT_RE = re.compile(r"tingsrätt|hovrätt|förvaltningsrätt|kammarrätt|domstol|migrationsdomstol", re.I)
COUNTY_BOARD_RE = re.compile(r"^länsstyrelsen", re.I)


def genitive(name: str) -> str:
    """Swedish s-genitive of a name ("Tillväxtverket" -> "Tillväxtverkets"; "Borås" unchanged)."""
    return name if name[-1:].lower() in ("s", "x", "z") else name + "s"


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file as dicts of strings."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def municipality_rows(data: Path) -> Iterator[tuple[dict, list[str], list[str]]]:
    """(registry row, organisation names, bare place names) for each of the 290 municipalities; the names include the
    English forms of a municipality's English pages ('Växjö Municipality', 'Municipality of Växjö', 'City of
    Stockholm')."""
    for r in read_csv(data / "municipalities.csv"):
        full, official, short = r["full_name"], r["official_name"] or r["full_name"], r["name"]
        canonical = official if official.endswith(" stad") else full
        names = {full, f"{short} kommun", official}
        if official.endswith(" stad"):
            names |= {f"{short} stad", f"{full.removesuffix(' kommun')} stad"}
        names |= {genitive(n) for n in set(names)}
        names |= {f"{short} Municipality", f"Municipality of {short}"} | ({f"City of {short}"} if
                                                                          official.endswith(" stad") else set())
        places = {short, full.removesuffix(" kommun")}
        row = {"id": f"kommun/{r['kommunkod']}", "kind": "municipality", "name": canonical, "code": r["kommunkod"],
               "county_code": r["county_code"], "county": r["county_name"], "host": host_of(r["website"]),
               "lat": r["lat"], "lon": r["lon"]}
        yield row, sorted(names), sorted(places)


def county_rows(data: Path) -> Iterator[tuple[dict, list[str]]]:
    """(registry row, names) for the 21 regions and the 21 county administrative boards."""
    for r in read_csv(data / "counties.csv"):
        code, county, short = r["county_code"], r["county_name"], r["county_name_short"]
        region = r["region_name"]
        names = {region, f"Region {short}", f"Region {county}", f"Landstinget {short}", f"Landstinget i {county}",
                 f"{county}s landsting", r["region_name_2016"].replace(" (landsting)", "")}
        names |= {genitive(n) for n in set(names)}
        if code == "09":  # Region Gotland is also the municipality of Gotland, whose patterns name it
            names = set()
        yield ({"id": f"region/{code}", "kind": "region", "name": region, "code": code, "county_code": code,
                "county": county, "host": host_of(r["region_website"]), "lat": "", "lon": ""}, sorted(names))
        board = r["lansstyrelse_name"]
        names = {board, f"Länsstyrelsen {short}", f"Länsstyrelsen i {short}", f"Länsstyrelsen {county}",
                 f"Länsstyrelsen {genitive(short)} län"}
        names |= {genitive(n) for n in set(names)}  # 'Länsstyrelsen i Värmlands projekt'
        yield ({"id": f"lansstyrelse/{code}", "kind": "county_board", "name": board, "code": code,
                "county_code": code, "county": county, "host": site_of(r["lansstyrelse_website"]), "lat": "",
                "lon": ""}, sorted(names))


def agency_rows(data: Path) -> Iterator[tuple[dict, list[str]]]:
    """(registry row, names) for state agencies, universities and courts (county boards come from counties)."""
    for r in read_csv(data / "agencies.csv"):
        if COUNTY_BOARD_RE.match(r["name"]):
            continue
        name = r["name_wikidata_2021"] or r["name"]
        kind = "university" if UNIVERSITY_RE.search(name) else "court" if COURT_RE.search(name) else "agency"
        names = {name, r["name"]}
        names |= {genitive(n) for n in set(names)}
        row = {"id": "agency/" + r["okfn_id"].removeprefix("se/"), "kind": kind, "name": name, "code": "",
               "county_code": "", "county": "", "host": host_of(r["website"]).split("/")[0], "lat": "", "lon": ""}
        yield row, sorted(names)


def token_pattern(nlp: spacy.language.Language, text: str) -> list[dict]:
    """A case-sensitive token pattern for text, tokenised as the pipeline will tokenise it."""
    return [{"ORTH": t.text} for t in nlp.make_doc(text)]


def org_pattern(nlp: spacy.language.Language, name: str) -> str | list[dict]:
    """A one-word name matches only as written ("Sida", not "sida"); longer names match in any case."""
    return token_pattern(nlp, name) if len(nlp.make_doc(name)) == 1 else name


def build(data: Path) -> tuple[list[dict], list[dict]]:
    """(span_ruler patterns, registry rows) for every organisation in the reference data and the hand-kept file."""
    nlp = spacy.blank("sv")
    patterns: list[dict] = []
    registry: list[dict] = []
    for row, names, places in municipality_rows(data):
        registry.append(row)
        patterns += [{"label": "ORG", "pattern": n, "id": row["id"]} for n in names]
        patterns += [{"label": "PLACE", "pattern": token_pattern(nlp, p), "id": row["id"]} for p in places]
    for r in read_csv(data / "counties.csv"):  # the county as an area ("Västra Götaland"), never an organisation
        patterns += [{"label": "PLACE", "pattern": token_pattern(nlp, p), "id": f"region/{r['county_code']}"}
                     for p in sorted({r["county_name_short"], r["county_name"]})]
    for rows in (county_rows(data), agency_rows(data)):
        for row, names in rows:
            registry.append(row)
            patterns += [{"label": "ORG", "pattern": org_pattern(nlp, n), "id": row["id"]} for n in names]
    patterns += [{"label": "ORG", "pattern": n, "id": "lansstyrelse"} for n in ("Länsstyrelsen", "Länsstyrelsens")]
    registry.append({"id": "lansstyrelse", "kind": "county_board", "name": "Länsstyrelsen", "code": "",
                     "county_code": "", "county": "", "host": "lansstyrelsen.se", "lat": "", "lon": ""})
    preferred = {r["id"]: r for r in read_csv(HAND_KEPT)}
    for row in registry:
        if row["id"] in preferred:
            row["name"] = preferred.pop(row["id"])["name"]
    registry += [{**{f: "" for f in REGISTRY_FIELDS}, **{k: r[k] for k in ("id", "kind", "name", "host")}}
                 for r in preferred.values()]
    unique = {json.dumps(p, ensure_ascii=False, sort_keys=True): p for p in patterns}
    return list(unique.values()), registry


def write(patterns: list[dict], registry: list[dict], patterns_out: Path, registry_out: Path) -> None:
    """Write the pattern JSONL and the registry CSV."""
    with patterns_out.open("w", encoding="utf-8") as f:
        for p in patterns:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    with registry_out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=REGISTRY_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(registry)


@click.command("build-patterns")
@click.option("--data", "data", type=click.Path(exists=True, file_okay=False, path_type=Path), default=DEFAULT_DATA,
              envvar="KOMMUNARKIV_SHARED_DATA", show_default="../shared/data beside the checkout",
              help="Folder with municipalities.csv, counties.csv and agencies.csv [env KOMMUNARKIV_SHARED_DATA].")
def build_patterns(data: Path) -> None:
    """Generate the organisation patterns and registry from the reference data.

    Example:

        kommunarkiv build-patterns --data ../shared/data
    """
    patterns, registry = build(data)
    write(patterns, registry, PATTERNS_OUT, REGISTRY_OUT)
    click.echo(f"{len(patterns)} patterns -> {PATTERNS_OUT}\n{len(registry)} organisations -> {REGISTRY_OUT}")
