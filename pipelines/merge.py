"""One row per real project: descriptions of the same project on several pages and sites are merged.

A listing page and the project's own page, or each partner municipality's page about a shared project,
give one `projects` row each. `merge_projects` finds the pairs that describe one project (rapidfuzz title
similarity, then periods, phases, funders and partners), joins them into groups, points every description
but the richest at it (`projects.merged_into`) and writes `project_sources`: each page's facts and
evidence with the rule that merged it. Nothing is deleted: `unmerge_projects` reverses every merge.

Rules, in order (the first that holds decides):
- `phase-differs`: the titles carry different numbers ("etapp 2", "2023", "II"): never merged;
- `periods-disjoint`: both pages give periods and they do not overlap: never merged;
- `funders-differ`: both pages name funding sources and none is shared: never merged;
- `same-site-title`: same site, titles alike (token-sort similarity >= TITLE_SAME);
- `cross-site-title-actors`: different sites, titles alike, and an actor in common: a partner or owner,
  or a site's own organisation named on the other page; in the same county a common funding source
  also counts. Same name, different county, nobody in common: not merged.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from sqlite_utils import Database

from pipelines.funders import funding_sources, store_funding_sources
from pipelines.store import active_years, slugify

TITLE_SAME = 90  # token-sort similarity (0-100) above which two titles name the same project
MAX_BLOCK = 300  # a title word shared by more descriptions than this is too common to pair on
NUMBER_RE = re.compile(r"\b(\d+|II|III|IV|VI{1,3}|IX)\b")  # digits, and roman numerals that are no Swedish word
PHASE_RE = re.compile(r"\b(etapp|fas|steg|del|phase)\s+(\d+|[IVX]+)\b|\s+\d+(\.\d+)?$", re.IGNORECASE)
SUBTITLE_RE = re.compile(r"\s+[–—-]\s+|:\s+")  # "Name – what it is", "Name: what it is"
WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class Description:
    """One project as one page describes it: what matching looks at.

    `funders` are funding-source (or organisation) ids, `actors` partner and owner organisation ids,
    `site_org` the id of the organisation that runs the site, `start`/`end` YYYY[-MM[-DD]] or None.
    """

    id: str
    title: str
    site_id: str
    county: str | None = None
    start: str | None = None
    end: str | None = None
    funders: frozenset[str] = field(default_factory=frozenset)
    actors: frozenset[str] = field(default_factory=frozenset)
    site_org: str | None = None
    richness: int = 0


@dataclass(frozen=True)
class Match:
    """Why two descriptions are (or are not) one project: the rule, the title similarity, in words."""

    same: bool
    rule: str
    score: float
    explanation: str


def normal_title(title: str) -> str:
    """A title for comparison: case-folded, accents kept, quotes and punctuation gone, "projektet" dropped.

    >>> normal_title('Projektet "Step it up!"')
    'step it up'
    """
    text = unicodedata.normalize("NFC", title).casefold()
    words = WORD_RE.findall(text)
    while words and words[0] in ("projekt", "projektet"):
        words = words[1:]
    return " ".join(words)


def numbers(title: str) -> frozenset[str]:
    """The numbers in a title (digits, upper-case roman numerals from II): a phase, a year, a part.

    >>> sorted(numbers("Unga vuxna i arbete etapp 2, 2024"))
    ['2', '2024']
    >>> sorted(numbers("Digitalt lärande II"))
    ['II']
    """
    return frozenset(NUMBER_RE.findall(title))


def _alike(a: str, b: str) -> float:
    """Similarity (0-100) of two normalised titles: rapidfuzz token-sort ratio, or the plain ratio with spaces
    removed (one word on one page, two on another: "digitalkompetens" / "digital kompetens")."""
    return max(fuzz.token_sort_ratio(a, b), fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")))


def without_phase(title: str) -> str:
    """A title without its phase or trailing number ("etapp 2", "fas II", "2.0", "2024"), which numbers() compares.

    >>> without_phase("Leder i skogen etapp 2")
    'Leder i skogen'
    """
    return PHASE_RE.sub("", title).strip() or title


def title_score(a: str, b: str) -> float:
    """Similarity (0-100) of two raw titles, phases aside; a title that is the other's name before a subtitle
    ("Vägen till arbete – ett ESF-projekt för unga") is compared with that name only."""
    a, b = without_phase(a), without_phase(b)
    score = _alike(normal_title(a), normal_title(b))
    for name, other in ((a, b), (b, a)):
        head = SUBTITLE_RE.split(other, maxsplit=1)[0]
        if head != other:
            score = max(score, _alike(normal_title(name), normal_title(head)))
    return score


def _span(d: Description) -> tuple[str, str] | None:
    """The period as comparable strings: start (or end), end (or open: "9999")."""
    if not d.start and not d.end:
        return None
    return (d.start or d.end or "")[:7], (d.end or "9999")[:7]


def periods_overlap(a: Description, b: Description) -> bool:
    """Whether two periods overlap, at month precision; a missing period overlaps everything."""
    sa, sb = _span(a), _span(b)
    if sa is None or sb is None:
        return True
    return sa[0][: len(sb[1])] <= sb[1] and sb[0][: len(sa[1])] <= sa[1]


def match(a: Description, b: Description) -> Match:
    """Whether `a` and `b` describe the same project, by the module's rules, with the rule that decided."""
    score = title_score(a.title, b.title)
    if score < TITLE_SAME:
        return Match(False, "titles-differ", score, f"titles {score:.0f}% alike")
    if numbers(a.title) != numbers(b.title):
        return Match(False, "phase-differs", score,
                     f"numbers differ: {sorted(numbers(a.title))} / {sorted(numbers(b.title))}")
    if not periods_overlap(a, b):
        return Match(False, "periods-disjoint", score, f"periods {_span(a)} and {_span(b)} do not overlap")
    if a.funders and b.funders and not a.funders & b.funders:
        return Match(False, "funders-differ", score,
                     f"funders {sorted(a.funders)} and {sorted(b.funders)} have none in common")
    if a.site_id == b.site_id:
        return Match(True, "same-site-title", score, f"same site, titles {score:.0f}% alike")
    common = (a.actors | {a.site_org}) & (b.actors | {b.site_org}) - {None}
    if common:
        return Match(True, "cross-site-title-actors", score,
                     f"titles {score:.0f}% alike; both name {', '.join(sorted(common))}")
    funders = a.funders & b.funders
    if funders and a.county and a.county == b.county:
        return Match(True, "cross-site-title-actors", score,
                     f"titles {score:.0f}% alike; same county, both funded by {', '.join(sorted(funders))}")
    return Match(False, "no-common-actor", score, "titles alike but no partner, owner or (same-county) funder in common")


def candidate_pairs(descriptions: list[Description]) -> set[tuple[int, int]]:
    """Index pairs that share a title word (blocking), so that matching is not quadratic on a large archive."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(descriptions):
        title = normal_title(d.title)
        for word in set(title.split()) | {title}:
            if len(word) >= 3 and not word.isdigit():
                blocks[word].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) <= MAX_BLOCK:
            pairs.update((i, j) for n, i in enumerate(members) for j in members[n + 1:])
    return pairs


def groups(descriptions: list[Description]) -> list[tuple[list[int], dict[int, Match]]]:
    """Groups of descriptions of one project (union-find over matching pairs), each with the match that
    joined each member; single descriptions are groups of one."""
    parent = list(range(len(descriptions)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    joined: dict[int, dict[int, Match]] = defaultdict(dict)
    for i, j in sorted(candidate_pairs(descriptions)):
        found = match(descriptions[i], descriptions[j])
        if found.same:
            joined[i][j] = joined[j][i] = found
            parent[find(i)] = find(j)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(descriptions)):
        members[find(i)].append(i)
    result = []
    for group in members.values():
        lead = max(group, key=lambda i: (descriptions[i].richness, descriptions[i].id))
        why = {i: joined[i].get(lead) or next(iter(joined[i].values())) for i in group if i != lead}
        result.append(([lead, *[i for i in group if i != lead]], why))
    return result


DESCRIPTIONS_SQL = """
select p.id, p.title, p.site_id, p.county, p.start_date, p.end_date, p.page_url, p.owner_id, s.name as site_name,
  p.budget_sek, p.period_evidence, p.budget_evidence, p.summary,
  (select count(*) from projects q where q.page_url = p.page_url) as on_page,
  (select json_group_array(json_object('role', po.role, 'id', po.organisation_id, 'name', o.name, 'mention', po.mention,
     'source', o.funding_source_id, 'evidence', po.evidence))
   from project_organisations po join organisations o on o.id = po.organisation_id
   where po.project_id = p.id) as roles
from projects p left join sites s on s.id = p.site_id
where p.removed_at is null
"""


def _description(row: dict[str, Any], roles: list[dict[str, Any]]) -> Description:
    """A projects row (with its roles) as a Description; richer when its page describes only this project, and
    when it is on its owner's site (a partner's page about someone else's project leads only when richer)."""
    facts = sum(1 for key in ("start_date", "end_date", "owner_id", "summary", "budget_sek") if row[key]) + len(roles)
    return Description(
        id=row["id"], title=row["title"] or "", site_id=row["site_id"], county=row["county"],
        start=row["start_date"], end=row["end_date"],
        funders=frozenset(r["source"] or r["id"] for r in roles if r["role"] == "funder"),
        actors=frozenset(r["id"] for r in roles if r["role"] in ("partner", "owner")),
        site_org=slugify(row["site_name"]) if row["site_name"] else None,
        richness=facts + (10 if row["on_page"] == 1 else 0)
        + (3 if row["owner_id"] in (None, slugify(row["site_name"] or "")) else 0))


def merge_projects(db: Database) -> dict[str, int]:
    """Merge the archive's descriptions of one project (reversibly); return counts of descriptions,
    projects and merges by rule. Recomputes everything each time, so it follows re-crawls."""
    store_funding_sources(db)  # organisations follow funders_canonical.yml as it changes
    rows = [dict(r) for r in db.query(DESCRIPTIONS_SQL)]
    roles = {row["id"]: json.loads(row["roles"] or "[]") for row in rows}
    descriptions = [_description(row, roles[row["id"]]) for row in rows]
    by_id = {row["id"]: row for row in rows}
    counts: dict[str, int] = defaultdict(int)
    with db.atomic():
        db.execute("update projects set merged_into = null where merged_into is not null")
        db.execute("delete from project_sources")
        for group, why in groups(descriptions):
            lead = descriptions[group[0]].id
            counts["projects"] += 1
            years: set[int] = set()
            words: list[str] = []
            for i in group:
                d, row = descriptions[i], by_id[descriptions[i].id]
                found = why.get(i)
                counts[found.rule if found else "own"] += 1
                years.update(active_years(d.start, d.end))
                words += own_words(row, roles[d.id])
                if i != group[0]:
                    db.execute("update projects set merged_into = ? where id = ?", [lead, d.id])
                    _write_search_fields(db, d.id, active_years(d.start, d.end), own_words(row, roles[d.id]))
                db.table("project_sources").insert(_source_row(d, row, roles[d.id], lead, found))
            _write_search_fields(db, lead, sorted(years), words)
    counts["descriptions"] = len(descriptions)
    return dict(counts)


def own_words(row: dict[str, Any], roles: list[dict[str, Any]]) -> list[str]:
    """What a search should find one description by besides its title and summary: its funders (and every
    name of their funding sources), partners, owner, and its site's municipality and county."""
    names = {s.id: s.names for s in funding_sources()}
    words = [text for role in roles for text in (role["name"], role.get("mention")) if text]
    words += [name for role in roles if role["role"] == "funder" for name in names.get(role.get("source"), ())]
    return [w for w in (*words, row["site_name"], row["county"]) if w]


def _write_search_fields(db: Database, project_id: str, years: list[int], words: list[str]) -> None:
    """Set a row's active_years (YYYY strings) and search_text (one name a line), when they changed."""
    text = "\n".join(dict.fromkeys(words))
    db.execute("update projects set active_years = ?, search_text = ? where id = ? "
               "and (active_years is not ? or search_text is not ?)",
               [json.dumps([str(y) for y in years]), text, project_id, json.dumps([str(y) for y in years]), text])


def _source_row(d: Description, row: dict[str, Any], roles: list[dict[str, Any]], lead: str,
                found: Match | None) -> dict[str, Any]:
    """A project_sources row: the page's facts and evidence, and the rule that merged it into `lead`."""
    evidence = [row["period_evidence"], row["budget_evidence"], *(r["evidence"] for r in roles)]
    return {"source_id": d.id, "project_id": lead, "page_url": row["page_url"], "site_id": d.site_id,
            "title": d.title, "start_date": d.start, "end_date": d.end, "budget_sek": row["budget_sek"],
            "owner": next((r["name"] for r in roles if r["role"] == "owner"), None),
            "funders": json.dumps([r["name"] for r in roles if r["role"] == "funder"], ensure_ascii=False),
            "partners": json.dumps([r["name"] for r in roles if r["role"] == "partner"], ensure_ascii=False),
            "evidence": json.dumps(list(dict.fromkeys(e for e in evidence if e)), ensure_ascii=False),
            "rule": found.rule if found else "own", "score": found.score if found else 100.0,
            "explanation": found.explanation if found else "the project's main description"}


def unmerge_projects(db: Database) -> int:
    """Undo every merge: each description is a project of its own again (its own years and search words);
    return how many were merged."""
    with db.atomic():
        undone = db.execute("update projects set merged_into = null where merged_into is not null").rowcount
        db.execute("update project_sources set project_id = source_id, rule = 'own', score = 100.0, "
                   "explanation = 'merges undone'")
        for row in db.query(DESCRIPTIONS_SQL):
            roles = json.loads(row["roles"] or "[]")
            _write_search_fields(db, row["id"], active_years(row["start_date"], row["end_date"]),
                                 own_words(row, roles))
    return undone


# What an archive holds, counted one way and labelled one way wherever it is printed (crawl, store, reextract):
# removed pages and projects left out. Labels padded to one column.
COUNT_LABELS = {"project_pages": "project pages:       ",
                "descriptions": "project descriptions:",
                "projects": "projects:            "}
COUNT_NOTES = {"descriptions": "as the pages give them, before merging duplicates",
               "projects": "after merging descriptions of the same project"}
# Counts over the whole archive, once per crawl or re-extraction: no index makes them cheaper.
PROJECT_COUNTS_SQL = ("select (select count(*) from pages where is_project_page and removed_at is null), "
                      "(select count(*) from projects where removed_at is null), "
                      "(select count(*) from projects where removed_at is null and merged_into is null)")


def project_counts(db: Database) -> dict[str, int]:
    """{project_pages, descriptions, projects} now in the archive, removed ones left out: pages read as project
    pages, the projects they describe (one row each in `projects`), and the projects those descriptions are once
    merged (`merged_into is null`: project_overview's rows, less removed projects)."""
    return dict(zip(("project_pages", "descriptions", "projects"), db.execute(PROJECT_COUNTS_SQL).fetchone()))


def count_lines(counts: dict[str, int]) -> list[str]:
    """One labelled line per count of project_counts(), e.g. "projects:             13 (after merging ...)"."""
    return [f"{COUNT_LABELS[key]} {counts[key]:>6}" + (f"  ({COUNT_NOTES[key]})" if key in COUNT_NOTES else "")
            for key in COUNT_LABELS]
