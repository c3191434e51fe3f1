"""Exports for researchers: projects as CSV (optionally for Excel) or JSON, with a data dictionary beside them."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pipelines.funders import sources_matching
from pipelines.places import counties, find_county, short_county_name
from pipelines.store import schema

SOURCE = "project_overview"
LIST_COLUMNS = tuple(name for name, spec in schema()["views"][SOURCE]["columns"].items() if spec[0] == "list")
# A funder filter: a funding source by any of its names, or words of the name a page gave the funder.
EXPORT_SQL = f"""
select * from {SOURCE} v
where (:county is null or v.county = :county)
  and (:funder is null or exists (
    select 1 from projects m
    join project_organisations po on po.project_id = m.id and po.role = 'funder'
    join organisations o on o.id = po.organisation_id
    where (m.id = v.id or m.merged_into = v.id)
      and (o.funding_source_id in (select value from json_each(:sources))
           or o.name like '%' || :funder || '%' or po.mention like '%' || :funder || '%')))
order by v.county, v.municipality, v.title
"""


class ExportError(ValueError):
    """A filter value that names nothing, or a filter that matches no project: the message says what would."""


def county_filter(value: str | None) -> str | None:
    """The county name a --county value means (code, name or short name); ExportError listing the forms if none."""
    if value is None:
        return None
    found = find_county(value)
    if found is None:
        examples = ", ".join(f"{code} / {short_county_name(name)} / {name}" for code, name in sorted(counties().items()))
        raise ExportError(f"no county {value!r}; use a code, short name or name: {examples}")
    return found[1]


def export_rows(db: Database, county: str | None = None, funder: str | None = None) -> list[dict[str, Any]]:
    """Projects (one row each, from project_overview) in a county (code, name or short name) and/or with a funder
    (a funding source by any of its names, or words of a funder's name); list columns as lists."""
    params = {"county": county_filter(county), "funder": funder,
              "sources": json.dumps([s.id for s in sources_matching(funder)] if funder else [])}
    rows = [dict(row) for row in db.query(EXPORT_SQL, params)]
    if not rows and (county or funder):
        raise ExportError(nothing_matches(db, params["county"], funder))
    return [{**row, **{col: json.loads(row[col] or "[]") for col in LIST_COLUMNS}} for row in rows]


def nothing_matches(db: Database, county: str | None, funder: str | None) -> str:
    """Why an export is empty, with the values that would give projects."""
    found = [f"county {county!r}" if county else "", f"funder {funder!r}" if funder else ""]
    in_archive = {"counties": "select distinct county from project_overview where county is not null order by 1",
                  "funders": "select distinct value from project_overview, json_each(funders) order by 1"}
    accepted = "; ".join(f"{label}: " + ", ".join(row[0] for row in db.execute(sql)) for label, sql in in_archive.items())
    return f"no project matches {' and '.join(f for f in found if f)}. The archive has {accepted}"


def dialect(excel: bool) -> dict[str, str]:
    """Encoding and delimiter: UTF-8 with BOM and `;` for (Swedish) Excel, else plain UTF-8 and `,`."""
    return {"encoding": "utf-8-sig", "delimiter": ";"} if excel else {"encoding": "utf-8", "delimiter": ","}


def write_csv(path: Path, header: list[str], rows: list[list[Any]], excel: bool) -> None:
    """A CSV file in the chosen dialect."""
    options = dialect(excel)
    with path.open("w", encoding=options["encoding"], newline="") as handle:
        writer = csv.writer(handle, delimiter=options["delimiter"])
        writer.writerow(header)
        writer.writerows(rows)


def write_projects(path: Path, rows: list[dict[str, Any]], fmt: str, excel: bool) -> None:
    """Projects as JSON (lists kept) or CSV (lists joined with ", ")."""
    if fmt == "json":
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return
    header = list(schema()["views"][SOURCE]["columns"])
    write_csv(path, header, [[", ".join(map(str, row[c])) if c in LIST_COLUMNS else row[c] for c in header]
                             for row in rows], excel)


def dictionary_path(output: Path) -> Path:
    """Where the data dictionary goes: beside the export, `<name>.dictionary.csv`."""
    return output.with_name(f"{output.stem}.dictionary.csv")


def write_dictionary(path: Path, excel: bool) -> None:
    """The exported columns with their type and English and Swedish descriptions, from schema.yml."""
    columns = schema()["views"][SOURCE]["columns"]
    write_csv(path, ["column", "type", "description", "beskrivning"],
              [[name, *spec] for name, spec in columns.items()], excel)


def export(db: Database, output: Path, fmt: str, county: str | None, funder: str | None, excel: bool) -> int:
    """Write the export and its data dictionary; return the number of projects."""
    rows = export_rows(db, county, funder)
    write_projects(output, rows, fmt, excel)
    write_dictionary(dictionary_path(output), excel)
    return len(rows)
