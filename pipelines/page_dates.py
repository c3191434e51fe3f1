"""A page's own dates (published, updated) from its <meta> tags, its schema.org data (JSON-LD and microdata) and
visible Swedish date lines, in that order of trust, as YYYY-MM-DD.

Vocabulary: pipelines/data/page_dates.json (meta names by trust, schema.org properties, visible line labels).
JSON-LD is read with the standard library's json and microdata with lxml, keeping only the nodes that can describe
the page: extruct would add rdflib, pyrdfa3, mf2py, html-text and jstyleson for two properties, and htmldate's
JSON search takes the first "datePublished" anywhere in a script, a news teaser's on a start page. Values are read by
htmldate's date-expression parser (ISO 8601 with or without time and zone, "14 sep 2023", "tisdag 5 december
2023", "20180130"); Unix timestamps (10 or 13 digits) are read as UTC days. The date is the day as the page
writes it (no zone conversion). Only a full, valid date up to tomorrow is kept: an impossible or partial date
(2023-02-30, 2023-12-00, 2023-02), which htmldate would fill in or correct, is None. htmldate's whole-page search (`find_date`) is not used: on real home pages it
returns the date of a news teaser as the page's date (benchmarks/swedish_html.py measured 3 of 10 wrong).
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

from htmldate.extractors import try_date_expr
from lxml.html import HtmlElement

EARLIEST = datetime(1990, 1, 1)
LD_WRAPPER_RE = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")
MAX_LD_CHARS = 1_000_000  # a JSON-LD script longer than this is no page's own description
EPOCH_RE = re.compile(r"^\d{10}(?:\d{3})?$")
NUMERIC_DAY_RE = re.compile(r"(?<!\d)(\d{4})(-?)(\d{2})\2(\d{2})")  # 2023-02-30, 20230230
NUMBER_RE = re.compile(r"\d+")
META_KEYS = ("name", "property", "itemprop", "http-equiv")


@lru_cache(maxsize=1)
def _vocabulary() -> dict:
    """The meta names and visible labels, with one compiled pattern per date kind."""
    data = json.loads(resources.files("pipelines").joinpath("data/page_dates.json").read_text("utf-8"))
    data["patterns"] = {kind: _label_pattern(labels) for kind, labels in data["visible"].items()}
    return data


def _label_pattern(labels: list[str]) -> re.Pattern:
    """A line's date label at its start or after a separator, then the date expression up to the next separator."""
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    return re.compile(rf"(?:^|[|·•,;]\s*)(?:{alternatives})\s*(?::|den|\s)\s*([^|·•,;]{{4,40}})", re.I)


def _latest() -> datetime:
    """The latest plausible page date: tomorrow (a page's zone may be ahead of ours), UTC."""
    return datetime.combine(datetime.now(timezone.utc).date() + timedelta(days=1), datetime.min.time())


def _states_day(value: str, day: str) -> bool:
    """Whether `value` itself states the day `day` (YYYY-MM-DD), not a day the parser filled in or corrected.

    A numeric date in the value (2023-02-30, 20230230) must be that very day; otherwise the day of the month must
    be written in the value ("14 sep 2023"), so a partial date ("2023-02", "februari 2023") states no day.
    """
    numeric = NUMERIC_DAY_RE.search(value)
    if numeric:
        return f"{numeric.group(1)}-{numeric.group(3)}-{numeric.group(4)}" == day
    return int(day[8:]) in {int(number) for number in NUMBER_RE.findall(value) if len(number) <= 2}


def parse_date(value: str | None) -> str | None:
    """YYYY-MM-DD for a valid full date expression or Unix timestamp between 1990 and tomorrow; None for no date,
    an impossible one (2023-02-30, 2023-12-00), a partial one (2023-02, "februari 2023") or one further ahead."""
    value = (value or "").strip()[:100]
    latest = _latest()
    if EPOCH_RE.match(value):
        seconds = int(value) / (1000 if len(value) == 13 else 1)
        day = datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None)
        return day.strftime("%Y-%m-%d") if EARLIEST <= day <= latest else None
    found = try_date_expr(value, "%Y-%m-%d", True, EARLIEST, latest) if value else None
    return found if found and _states_day(value, found) and date.fromisoformat(found) <= latest.date() else None


def meta_dates(tree: HtmlElement) -> dict[str, str | None]:
    """{published, updated} from <meta> names (case-insensitive), the most trusted name first."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        value = meta.get("content") or meta.get("datetime")
        for key in META_KEYS:
            if meta.get(key) and value:
                found.setdefault(meta.get(key).strip().lower(), value)
    out: dict[str, str | None] = {}
    for kind, names in _vocabulary()["meta"].items():
        out[kind] = next((day for day in (parse_date(found.get(name)) for name in names if name in found) if day),
                         None)
    return out


def _ld_nodes(tree: HtmlElement) -> list[dict[str, Any]]:
    """The JSON-LD nodes that can describe the page: each application/ld+json script's object (or the objects of its
    list), the members of its @graph, and each one's mainEntity; nodes nested deeper (a list's items, an author) are
    not the page. A script that is no JSON (trailing commas, a template) is passed over."""
    nodes: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        text = script.text or ""
        if (script.get("type") or "").strip().lower() != "application/ld+json" or len(text) > MAX_LD_CHARS:
            continue
        try:
            data = json.loads(LD_WRAPPER_RE.sub("", text))
        except ValueError:
            continue
        for top in data if isinstance(data, list) else [data]:
            if not isinstance(top, dict):
                continue
            graph = top.get("@graph")
            for node in [top, *(graph if isinstance(graph, list) else [graph])]:
                if isinstance(node, dict):
                    nodes += [node] + ([node["mainEntity"]] if isinstance(node.get("mainEntity"), dict) else [])
    return nodes


def _is_page_type(types: Any) -> bool:
    """Whether a @type (a name or a list) or an itemtype (URLs) names a kind of web page (WebPage, AboutPage...)."""
    suffix = _vocabulary()["structured"]["page_type_suffix"]
    names = types if isinstance(types, list) else str(types or "").split()
    return any(isinstance(name, str) and name.rstrip("/").endswith(suffix) for name in names)


def _microdata(tree: HtmlElement) -> Iterable[tuple[str, bool, str]]:
    """(property, whether its item is a web page, value) for each schema.org date property in microdata: the
    element's content, datetime or text."""
    wanted = {name.lower() for kind in ("published", "updated") for name in _vocabulary()["structured"][kind]}
    for el in tree.xpath("//*[@itemprop]"):
        for prop in el.get("itemprop").split():
            if prop.lower() in wanted:
                item = next((a for a in el.iterancestors() if a.get("itemscope") is not None), None)
                value = el.get("content") or el.get("datetime") or el.text_content()
                yield prop.lower(), item is not None and _is_page_type(item.get("itemtype")), value


def _decide(candidates: list[tuple[bool, str | None]]) -> str | None:
    """The one day a property gives, or, where its nodes give several (a start page's teasers), the one day the
    nodes describing a web page give; else None."""
    days = {day for _, day in candidates if day}
    if len(days) <= 1:
        return days.pop() if days else None
    page_days = {day for is_page, day in candidates if is_page and day}
    return page_days.pop() if len(page_days) == 1 else None


def structured_dates(tree: HtmlElement) -> dict[str, str | None]:
    """{published, updated} from schema.org data: JSON-LD first, then microdata, each property in order of trust
    (datePublished before dateCreated)."""
    nodes, micro = _ld_nodes(tree), list(_microdata(tree))
    sources = (
        lambda name: [(_is_page_type(node.get("@type")), parse_date(value))
                      for node in nodes if isinstance(value := node.get(name), str)],
        lambda name: [(is_page, parse_date(value)) for prop, is_page, value in micro if prop == name.lower()],
    )
    return {kind: next((day for source in sources for name in _vocabulary()["structured"][kind]
                        if (day := _decide(source(name)))), None) for kind in ("published", "updated")}


def line_dates(lines: Iterable[str]) -> dict[str, str | None]:
    """{published, updated} from visible lines such as "Publicerad 12 mars 2024" or "Sidan uppdaterades: 2024-03-14"
    (a label line ending in a colon reads the next line as its date)."""
    out: dict[str, str | None] = {"published": None, "updated": None}
    patterns = _vocabulary()["patterns"]
    previous = ""
    for line in lines:
        if len(line) > 200:
            continue
        if previous.endswith(":") and len(previous) <= 40:  # "Senast uppdaterad:" then the date on its own line
            line, previous = f"{previous} {line}", line
        else:
            previous = line
        for kind, pattern in patterns.items():
            if out[kind] is None:
                out[kind] = next((day for day in (parse_date(m.group(1)) for m in pattern.finditer(line)) if day), None)
    return out


def page_dates(tree: HtmlElement, lines: Iterable[str]) -> tuple[str | None, str | None]:
    """(published, updated) as YYYY-MM-DD: <meta> first, else schema.org data, else the page's visible date lines."""
    meta, structured, visible = meta_dates(tree), structured_dates(tree), line_dates(lines)
    return tuple(meta[kind] or structured[kind] or visible[kind] for kind in ("published", "updated"))
