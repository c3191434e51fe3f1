"""Datasette plugin: facet types that read counts kept by the archive, or group rows before counting, so a
100,000-row page stays fast.

Kept counts: when the page shows every row of a view (its row count equals the count kept for the facet) and
the archive keeps the view's counts (table facet_counts, rows (view, facet, value, n); the rows with facet ''
hold the view's row count under each kept facet's name), a facet reads its counts from there: a few hundred
rows, not 100,000. Otherwise (a filtered page, another table, an older archive) it counts as below.

- `value`: a column's values, as Datasette's column facet (shown as one). Toggles `column=value`.
- `computed`: a column computed from others, e.g. a status from start and end dates. Config
  {"column": "status", "from": ["start_date", "end_date"]}: rows are grouped by the `from` columns
  (an index scan when they are indexed), the column is computed once per group, then counted.
  Valid only when the column is a function of the `from` columns. Toggles `column=value`.
- `list`: a column holding a JSON list of names (or null). Config "funders": rows are grouped by the whole list
  (an index scan when the column is indexed), each distinct list is expanded once with json_each,
  and a row counts once per name it lists. Toggles `column__arraycontains=value`.

A computed facet's kept counts are by its `from` columns (value: a JSON array of them, in that order), the column
computed once per group from a row of the view holding them, at query time: a status changes with the date.

Datasette's own facets compute the column for every row (`array` also de-duplicates every row with
all its columns); at 100,000 projects that took seconds (benchmarks/overview.py). Results have the
shape of Datasette's column and array facets. Self-contained (datasette only) for `datasette package`.
"""
from __future__ import annotations

import sqlite3
from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args


class _GroupedFacet(Facet):
    """What the facet types share: run one query per configured column (from kept counts when the page shows every
    row), shape its rows as Datasette does."""

    toggle_suffix = ""
    shown_type = ""  # the type the results report, when not their own

    def facet_sql(self, column: str, config: dict[str, Any], limit: int) -> str:
        """SQL giving (value, count) rows for the facet over the page's rows, most frequent first."""
        raise NotImplementedError

    def kept_sql(self, column: str, config: dict[str, Any], limit: int) -> str:
        """SQL giving the facet's (value, count) rows from facet_counts (parameters view and facet), most frequent
        first."""
        return ("select value, n as count from facet_counts where view = :view and facet = :facet and n > 0 "
                f"order by n desc, value limit {limit}")

    async def rows(self, column: str, config: dict[str, Any], limit: int) -> list[sqlite3.Row]:
        """The facet's (value, count) rows: from kept counts when they count exactly the page's rows, else counted."""
        run = {"truncate": False, "custom_time_limit": self.ds.setting("facet_time_limit_ms")}
        if self.row_count is not None and self.table:
            keys = {"view": self.table, "facet": column}
            try:
                kept = await self.ds.execute(self.database, "select n from facet_counts where view = :view "
                                             "and facet = '' and value = :facet", keys, **run)
            except sqlite3.OperationalError:  # an archive without kept counts
                kept = None
            if kept and kept.rows[0]["n"] == self.row_count:  # a subset as large as the view is the whole view
                return (await self.ds.execute(self.database, self.kept_sql(column, config, limit), keys, **run)).rows
        return (await self.ds.execute(self.database, self.facet_sql(column, config, limit), self.params, **run)).rows

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results, timed_out = [], []
        pairs = self.get_querystring_pairs()
        size = self.get_facet_size()
        for entry in self.get_configs():
            config = entry["config"]
            column = config.get("column") or config["simple"]
            try:
                rows = await self.rows(column, config, size + 1)
            except QueryInterrupted:
                timed_out.append(column)
                continue
            key = column + self.toggle_suffix
            values = []
            for row in rows[:size]:
                selected = (key, str(row["value"])) in pairs
                toggle = (path_with_removed_args if selected else path_with_added_args)(
                    self.request, {key: str(row["value"])})
                values.append({"value": row["value"], "label": row["value"], "count": row["count"],
                               "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle)),
                               "selected": selected})
            results.append({"name": column, "type": self.shown_type or self.type,
                            "hideable": entry["source"] != "metadata",
                            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request,
                                                                                   {f"_facet_{self.type}": column})),
                            "results": values, "truncated": len(rows) > size})
        return results, timed_out


class ValueFacet(_GroupedFacet):
    """Counts of a column's values, as Datasette's column facet counts them."""

    type = "value"
    shown_type = "column"

    def facet_sql(self, column: str, config: dict[str, Any], limit: int) -> str:
        col = escape_sqlite(column)
        return (f"select {col} as value, count(*) as count from ({self.sql}) where {col} is not null "
                f"group by {col} order by count desc, value limit {limit}")


class ComputedFacet(_GroupedFacet):
    """Counts of a column computed from the `from` columns: grouped by those first."""

    type = "computed"

    def facet_sql(self, column: str, config: dict[str, Any], limit: int) -> str:
        sources = ", ".join(escape_sqlite(name) for name in config["from"])
        return (f"select value, sum(n) as count from (select {escape_sqlite(column)} as value, count(*) as n "
                f"from ({self.sql}) group by {sources}) where value is not null "
                f"group by value order by count desc, value limit {limit}")

    def kept_sql(self, column: str, config: dict[str, Any], limit: int) -> str:
        match = " and ".join(f"o.{escape_sqlite(name)} is json_extract(c.value, '$[{i}]')"
                             for i, name in enumerate(config["from"]))
        computed = f"(select o.{escape_sqlite(column)} from {escape_sqlite(self.table)} o where {match} limit 1)"
        # materialized: each group's row looked up once
        return (f"with g as materialized (select {computed} as value, c.n as n from facet_counts c "
                "where c.view = :view and c.facet = :facet and c.n > 0) "
                "select value, sum(n) as count from g where value is not null "
                f"group by value order by count desc, value limit {limit}")


class ListFacet(_GroupedFacet):
    """Counts of the names in a JSON-list column: identical lists grouped first, each expanded once."""

    type = "list"
    toggle_suffix = "__arraycontains"

    def facet_sql(self, column: str, config: dict[str, Any], limit: int) -> str:
        col = escape_sqlite(column)
        return ("select value, sum(n) as count from (select distinct g.list, g.n, j.value as value from "
                f"(select {col} as list, count(*) as n from ({self.sql}) where {col} is not null group by {col}) g, "
                "json_each(g.list) j) "
                f"group by value order by count desc, value limit {limit}")


@hookimpl
def register_facet_classes() -> list[type[Facet]]:
    return [ValueFacet, ComputedFacet, ListFacet]
