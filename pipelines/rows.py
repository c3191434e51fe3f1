"""Single-row reads and writes in plain SQL, for the per-page paths of the crawl and the extraction stage.

sqlite-utils' Table.get / insert / update / upsert read the table's schema (table_info, the list of tables and
views) on every call: profiled on a 2,400-page crawl, that was most of the time the extraction stage spent storing
its records. These do the same for one row with one prepared statement; the archive's shape still comes from
schema.yml through sqlite-utils. Values are what sqlite3 stores as they are (str, int, float, bytes, None; a bool
as 0/1); a list or dict raises sqlite3.ProgrammingError.
"""
from __future__ import annotations

from typing import Any

from sqlite_utils import Database


def _names(columns: Any) -> str:
    return ", ".join(f"[{c}]" for c in columns)


def get_row(db: Database, table: str, pk: str, value: Any) -> dict[str, Any] | None:
    """The row whose primary key column `pk` is `value`, as {column: value}, or None."""
    cursor = db.execute(f"select * from [{table}] where [{pk}] = ?", [value])
    found = cursor.fetchone()
    return dict(zip((d[0] for d in cursor.description), found)) if found else None


def insert_row(db: Database, table: str, row: dict[str, Any]) -> None:
    """Insert one row (sqlite3.IntegrityError if its primary key exists)."""
    db.execute(f"insert into [{table}] ({_names(row)}) values ({', '.join('?' * len(row))})", list(row.values()))


def update_row(db: Database, table: str, key: dict[str, Any], values: dict[str, Any]) -> None:
    """Set `values` on the row whose primary key columns equal `key` ({column: value}); nothing if there is none."""
    sets = ", ".join(f"[{c}] = ?" for c in values)
    where = " and ".join(f"[{c}] = ?" for c in key)
    db.execute(f"update [{table}] set {sets} where {where}", [*values.values(), *key.values()])


def upsert_row(db: Database, table: str, row: dict[str, Any], pk: str | tuple[str, ...]) -> None:
    """Insert `row`, or set its columns on the row with the same primary key (`pk`, one column or a tuple) and
    leave that row's other columns as they are: sqlite-utils' upsert for one row."""
    keys = (pk,) if isinstance(pk, str) else pk
    rest = [c for c in row if c not in keys]
    action = f"do update set {', '.join(f'[{c}] = excluded.[{c}]' for c in rest)}" if rest else "do nothing"
    db.execute(f"insert into [{table}] ({_names(row)}) values ({', '.join('?' * len(row))}) "
               f"on conflict ({_names(keys)}) {action}", list(row.values()))
