"""Funding sources: the one source of money behind the many names a page gives a funder.

"ESF", "Europeiska socialfonden" and "Svenska ESF-rådet" (its managing authority) are one funding source,
one facet value; the organisation the page named stays in `project_organisations` as its own fact.
Knowledge lives in pipelines/data/funders_canonical.yml; this module only reads and applies it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml
from sqlite_utils import Database


@dataclass(frozen=True)
class FundingSource:
    """One source of money: id, facet name, abbreviation, managing authority (or None), names it goes by."""

    id: str
    name: str
    short_name: str
    managing_authority: str | None
    aliases: tuple[str, ...]
    id_prefixes: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the source goes by, the canonical ones first."""
        return (self.name, self.short_name, *self.aliases)


@cache
def funding_sources() -> tuple[FundingSource, ...]:
    """The funding sources of pipelines/data/funders_canonical.yml, in file order."""
    data = yaml.safe_load(resources.files("pipelines").joinpath("data/funders_canonical.yml").read_text("utf-8"))
    return tuple(FundingSource(s["id"], s["name"], s["short_name"], s.get("managing_authority"),
                               tuple(s.get("aliases") or ()), tuple(s.get("id_prefixes") or ()))
                 for s in data["sources"])


@cache
def _by_name() -> dict[str, FundingSource]:
    """Every name (case-folded) of every source -> the source; the first source to claim a name keeps it."""
    table: dict[str, FundingSource] = {}
    for source in funding_sources():
        for name in source.names:
            table.setdefault(name.casefold(), source)
    return table


def source_for(org_id: str | None, name: str | None, mention: str | None = None) -> FundingSource | None:
    """The funding source an organisation stands for: by its canonical name, the words on the page, or its id.

    >>> source_for("svenska-esf-radet", "Svenska ESF-rådet").id
    'esf'
    >>> source_for("leader-fjallbygden", "Leader Fjällbygden").id
    'ejflu'
    >>> source_for("gallivare-kommun", "Gällivare kommun") is None
    True
    """
    for text in (name, mention):
        if text and text.strip().casefold() in _by_name():
            return _by_name()[text.strip().casefold()]
    return next((s for s in funding_sources() if org_id and org_id.startswith(s.id_prefixes or ("\0",))), None)


def sources_matching(query: str) -> list[FundingSource]:
    """The sources whose name, short name or an alias contains `query` (any case): what a funder search means.

    >>> [s.id for s in sources_matching("socialfond")]
    ['esf']
    >>> [s.id for s in sources_matching("ESF")]
    ['esf']
    """
    wanted = query.strip().casefold()
    return [s for s in funding_sources() if wanted and any(wanted in name.casefold() for name in s.names)]


def store_funding_sources(db: Database) -> None:
    """Write the funding_sources table and each organisation's funding_source_id (both small; idempotent)."""
    rows = [{"id": s.id, "name": s.name, "short_name": s.short_name, "managing_authority": s.managing_authority,
             "aliases": list(s.aliases)} for s in funding_sources()]
    with db.atomic():
        db.table("funding_sources").upsert_all(rows, pk="id")
        for org_id, name in db.execute("select id, name from organisations").fetchall():
            source = source_for(org_id, name)
            db.execute("update organisations set funding_source_id = ? where id = ? "
                       "and funding_source_id is not ?", [source.id if source else None, org_id,
                                                          source.id if source else None])
