"""The organisation registry (pipelines/data/registry.csv): canonical names and kinds by id, organisations by website."""
from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

from pipelines.urls import host_of

REGISTRY_CSV = Path(__file__).resolve().parents[1] / "data" / "registry.csv"


def fold(name: str) -> str:
    """A name lower-cased, spaces collapsed and diacritics dropped ("Skellefteå kommun" -> "skelleftea kommun")."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@dataclass(frozen=True)
class Organisation:
    """One registry row."""

    id: str
    kind: str
    name: str
    code: str = ""
    county_code: str = ""
    county: str = ""
    host: str = ""


class Registry:
    """Look organisations up by id, by website address and by name."""

    def __init__(self, path: Path = REGISTRY_CSV) -> None:
        with path.open(encoding="utf-8", newline="") as f:
            rows = [Organisation(**{k: r[k] for k in Organisation.__dataclass_fields__}) for r in csv.DictReader(f)]
        self.by_id = {o.id: o for o in rows}
        self.by_site = {o.host: o for o in rows if o.host}
        self.by_name = {fold(o.name): o for o in rows if o.name}

    def get(self, org_id: str) -> Organisation | None:
        """The organisation with this id, if any."""
        return self.by_id.get(org_id)

    def for_url(self, url: str) -> Organisation | None:
        """The organisation whose website a page lives on: host plus first path segment, the host, its parents."""
        parsed = urlparse(url or "")
        host = host_of(url or "") if parsed.hostname else ""
        if not host:
            return None
        first = parsed.path.strip("/").split("/")[0]
        if first and f"{host}/{first}" in self.by_site:
            return self.by_site[f"{host}/{first}"]
        labels = host.split(".")
        candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)] + [f"{labels[0]}.se"]  # CMS-hosted
        for candidate in candidates:
            found = self.by_site.get(candidate)
            if found and found.kind != "county_board":
                return found
        return None

    def for_name(self, name: str) -> Organisation | None:
        """The organisation with this canonical name, in any case and with or without Swedish letters, also without
        the genitive s of a municipality's name ("Jonkoping kommun" -> Jönköpings kommun)."""
        folded = fold(name or "")
        head, _, tail = folded.rpartition(" ")
        return self.by_name.get(folded) or (self.by_name.get(f"{head}s {tail}") if head and not head.endswith("s")
                                            else None)


@cache
def load_registry() -> Registry:
    """The registry, read once per process."""
    return Registry()
