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
