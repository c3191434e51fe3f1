"""The organisation registry (pipelines/data/registry.csv): canonical names and kinds by id, organisations by website."""
from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

from rapidfuzz import process
from rapidfuzz.distance import Hamming

from pipelines.urls import host_of

REGISTRY_CSV = Path(__file__).resolve().parents[1] / "data" / "registry.csv"
SITE_NAME_SIMILARITY = 0.9  # share of equal letters of a site's own name and a municipality's (spelling variants)


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
        self.municipality_names = [n for n, o in self.by_name.items() if o.kind == "municipality"]

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


    def for_site_name(self, name: str) -> Organisation | None:
        """The municipality a site calls itself by, also spelt a little differently ("Arjeplogs komun" for
        Arjeplog kommun): for_name, else the municipality name of the same length with the most equal letters
        (rapidfuzz's normalised Hamming similarity, at least SITE_NAME_SIMILARITY; "Ltkalmar kommun" is none)."""
        found = self.for_name(name)
        if found or not name:
            return found
        best = process.extractOne(fold(name), self.municipality_names, scorer=Hamming.normalized_similarity,
                                  score_cutoff=SITE_NAME_SIMILARITY)
        return self.by_name[best[0]] if best else None


@cache
def load_registry() -> Registry:
    """The registry, read once per process."""
    return Registry()
