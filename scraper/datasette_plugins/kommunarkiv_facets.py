"""Datasette plugin: two facet types that group rows before counting, so a 100,000-row page stays fast.

- `computed`: a column computed from others, e.g. a status from start and end dates. Config
  {"column": "status", "from": ["start_date", "end_date"]}: rows are grouped by the `from` columns
  (an index scan when they are indexed), the column is computed once per group, then counted.
  Valid only when the column is a function of the `from` columns. Toggles `column=value`.
- `list`: a column holding a JSON list of names (or null). Config "funders": rows are grouped by the whole list
  (an index scan when the column is indexed), each distinct list is expanded once with json_each,
  and a row counts once per name it lists. Toggles `column__arraycontains=value`.

Datasette's own facets compute the column for every row (`array` also de-duplicates every row with
all its columns); at 100,000 projects that took seconds (benchmarks/overview.py). Results have the
shape of Datasette's column and array facets. Self-contained (datasette only) for `datasette package`.
"""
from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args


class _GroupedFacet(Facet):
    """What both facet types share: run one query per configured column, shape its rows as Datasette does."""

    toggle_suffix = ""

    def facet_sql(self, column: str, config: dict[str, Any], limit: int) -> str:
        """SQL giving (value, count) rows for the facet, most frequent first."""
        raise NotImplementedError

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results, timed_out = [], []
        pairs = self.get_querystring_pairs()
        size = self.get_facet_size()
        for entry in self.get_configs():
            config = entry["config"]
            column = config.get("column") or config["simple"]
            try:
                rows = await self.ds.execute(self.database, self.facet_sql(column, config, size + 1), self.params,
                                             truncate=False, custom_time_limit=self.ds.setting("facet_time_limit_ms"))
            except QueryInterrupted:
                timed_out.append(column)
                continue
            key = column + self.toggle_suffix
            values = []
            for row in rows.rows[:size]:
                selected = (key, str(row["value"])) in pairs
                toggle = (path_with_removed_args if selected else path_with_added_args)(
                    self.request, {key: str(row["value"])})
                values.append({"value": row["value"], "label": row["value"], "count": row["count"],
                               "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle)),
                               "selected": selected})
            results.append({"name": column, "type": self.type, "hideable": entry["source"] != "metadata",
                            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request,
                                                                                   {f"_facet_{self.type}": column})),
                            "results": values, "truncated": len(rows) > size})
        return results, timed_out


class ComputedFacet(_GroupedFacet):
    """Counts of a column computed from the `from` columns: grouped by those first."""

    type = "computed"

    def facet_sql(self, column: str, config: dict[str, Any], limit: int) -> str:
        sources = ", ".join(escape_sqlite(name) for name in config["from"])
        return (f"select value, sum(n) as count from (select {escape_sqlite(column)} as value, count(*) as n "
                f"from ({self.sql}) group by {sources}) where value is not null "
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
    return [ComputedFacet, ListFacet]
