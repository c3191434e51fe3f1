"""Exports for researchers: projects as CSV (optionally for Excel) or JSON, with a data dictionary beside them."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pipelines.store import schema

SOURCE = "project_overview"
LIST_COLUMNS = ("funders", "partners")  # JSON lists in the view
EXPORT_SQL = f"""
select * from {SOURCE}
where (:county is null or county = :county)
  and (:funder is null or exists (select 1 from json_each(funders) where value like '%' || :funder || '%'))
order by county, municipality, title
"""


def export_rows(db: Database, county: str | None = None, funder: str | None = None) -> list[dict[str, Any]]:
    """Projects (one row each, from project_overview) in a county and/or with a funder whose name contains `funder`."""
    rows = [dict(row) for row in db.query(EXPORT_SQL, {"county": county, "funder": funder})]
    return [{**row, **{col: json.loads(row[col] or "[]") for col in LIST_COLUMNS}} for row in rows]


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
    write_csv(path, header, [[", ".join(row[c]) if c in LIST_COLUMNS else row[c] for c in header] for row in rows],
              excel)


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
