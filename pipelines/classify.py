"""Whether a page describes projects, rather than a call for applications, an agenda or a funding-information page."""
from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from pathlib import Path

from pipelines.extract.dates import may_state_period
from pipelines.extract.money import may_state_amount
from pipelines.page import CleanPage

CUES = Path(__file__).with_name("extract") / "data" / "classify.json"
MAX_CHARS = 200_000  # the classifier reads no further into a page
SCORED = 256  # texts whose cue scores are kept: a page is scored before NLP (may_be_project_page) and after it
# (is_project_page), up to a chunk of pages apart (pipelines.extract.engine.CHUNK, 64)
FACT_KEYS = ("funders", "partners", "owner", "start", "end", "budget_sek")
ORGANISATION_KEYS = 3  # the first three fact keys name organisations; the others are read from years and amounts
WORD_RE = re.compile(r"[^\W\d_]+")


@cache
def _cues() -> dict:
    """classify.json with its cue expressions compiled."""
    data = json.loads(CUES.read_text(encoding="utf-8"))
    for key in ("project", "not_project", "english_project"):
        data[key] = [(re.compile(pattern, re.I), weight) for pattern, weight in data[key]]
    data["project"] += data["english_project"]
    data["swedish"] = frozenset(data["swedish_words"])
    data["english"] = frozenset(data["english_words"])
    return data


@lru_cache(maxsize=SCORED)
def project_cue_score(text: str) -> float:
    """The weight of the project cues in a text."""
    return sum(weight for pattern, weight in _cues()["project"] if pattern.search(text))


@lru_cache(maxsize=SCORED)
def other_cue_score(text: str) -> float:
    """The weight of the call, agenda and funding-information cues in a text."""
    return sum(weight for pattern, weight in _cues()["not_project"] if pattern.search(text))


def project_page_score(text: str, projects: list[dict]) -> float:
    """Project cues minus call/agenda/funding-information cues, plus a bonus for the project facts found."""
    cues = _cues()
    score = project_cue_score(text) - other_cue_score(text)
    facts = sum(1 for project in projects for key in FACT_KEYS if project.get(key))
    listed = sum(1 for project in projects if project.get("owner") or project.get("budget_sek") or
                 project.get("partners")) >= 2
    return score + min(facts * cues["fact_weight"], cues["max_fact_bonus"]) + (cues["listing_weight"] if listed else 0)


def swedish_share(text: str, key: str = "swedish") -> float:
    """The share of a text's words that are common Swedish function words (or English ones, key="english")."""
    words = WORD_RE.findall(text.lower())
    return sum(1 for w in words if w in _cues()[key]) / len(words) if words else 0.0


def readable(text: str, kinds: int) -> bool:
    """Whether a page is in Swedish, or in English with at least 'min_english_fact_kinds' kinds of project facts (an
    EU project's partner page)."""
    return (swedish_share(text) >= _cues()["min_swedish_share"] or
            swedish_share(text, "english") >= _cues()["min_english_share"] and kinds >= _cues()["min_english_fact_kinds"])


def is_project_page(page: CleanPage, projects: list[dict]) -> bool:
    """A Swedish (or English) page with project facts, some project cues (or many kinds of facts), and more project cues than
    call/agenda cues."""
    kinds = sum(1 for key in FACT_KEYS if any(project.get(key) for project in projects))
    text = page.text[:MAX_CHARS]
    return (kinds > 0 and readable(text, kinds) and
            (project_cue_score(text) >= _cues()["min_project_cues"] or kinds >= _cues()["min_fact_kinds"]) and
            project_page_score(text, projects) >= _cues()["threshold"])


def may_be_project_page(page: CleanPage, text: str) -> bool:
    """False only when is_project_page(page, projects) is False whatever projects the extractor finds in `text`
    (the page's prepared text, what the extractor reads), so the extractor need not read the page (no NLP).

    is_project_page needs a readable language; project cues, or at least min_fact_kinds kinds of facts, of which
    all but ORGANISATION_KEYS (funders, partners, owner) are a start, an end or a budget, each read from a year or an amount;
    and cues that can reach the threshold with the largest fact bonus and the listing weight."""
    cues = _cues()
    head = page.text[:MAX_CHARS]
    if swedish_share(head) < cues["min_swedish_share"] and swedish_share(head, "english") < cues["min_english_share"]:
        return False
    score = project_cue_score(head)
    if (score < cues["min_project_cues"] and cues["min_fact_kinds"] > ORGANISATION_KEYS
            and not (may_state_period(text) or may_state_amount(text))):
        return False
    against = other_cue_score(head)
    return score - against + cues["max_fact_bonus"] + cues["listing_weight"] >= cues["threshold"]
