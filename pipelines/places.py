"""Municipalities and their centre points, copied from the registry into the archive for the map."""
from __future__ import annotations

import csv

from sqlite_utils import Database

from pipelines.extract.registry import REGISTRY_CSV


def registry_municipalities() -> list[dict[str, object]]:
    """The registry's municipalities as `municipalities` rows, with lat/lon as numbers."""
    with REGISTRY_CSV.open(encoding="utf-8", newline="") as handle:
        return [{"kommunkod": row["code"], "name": row["name"], "county_code": row["county_code"],
                 "county": row["county"], "lat": float(row["lat"]) if row["lat"] else None,
                 "lon": float(row["lon"]) if row["lon"] else None}
                for row in csv.DictReader(handle) if row["kind"] == "municipality"]


def store_municipalities(db: Database) -> None:
    """Fill `municipalities` from the registry unless it already holds them all."""
    rows = registry_municipalities()
    if db.table("municipalities").count != len(rows):
        with db.atomic():
            db.table("municipalities").upsert_all(rows, pk="kommunkod")


def counties() -> dict[str, str]:
    """Sweden's counties: SCB county code -> name ("25" -> "Norrbottens län"), from the registry."""
    return {str(row["county_code"]): str(row["county"]) for row in registry_municipalities()}


def short_county_name(name: str) -> str:
    """A county's name without "län" and the genitive s: "Norrbottens län" -> "Norrbotten", "Skåne län" -> "Skåne"."""
    base = name.removesuffix(" län")
    return base[:-1] if base.endswith("s") and not base.endswith("ss") else base


def find_county(value: str) -> tuple[str, str] | None:
    """(code, name) of the county a user means by its code ("25" or "025"), name or short name; None if none."""
    wanted = value.strip().casefold()
    for code, name in counties().items():
        if wanted.lstrip("0") == code.lstrip("0") or wanted in (name.casefold(), short_county_name(name).casefold(),
                                                                  name.removesuffix(" län").casefold()):
            return code, name
    return None
