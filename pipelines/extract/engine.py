"""The extraction engine: cleaned pages in, one record of projects and their facts per page out."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import islice

from spacy.tokens import Doc, Span

from pipelines.classify import is_project_page, may_be_project_page
from pipelines.extract.contacts import find_contacts
from pipelines.extract.knowledge import load
from pipelines.extract.dates import dated_after, find_period, page_dates
from pipelines.extract.money import item_amount, project_budget
from pipelines.extract.nlp import load_nlp
from pipelines.extract.registry import Organisation, load_registry
from pipelines.extract.segment import (PageText, Section, page_rules, page_title, prepare, project_names,
                                        split_projects)
from pipelines.page import CleanPage
from pipelines.versions import extractor_version

EXTRACTOR_VERSION = extractor_version()
BATCH_SIZE = 16
CHUNK = 4 * BATCH_SIZE  # pages prepared and sorted into read / not read at a time
PAYERS = tuple(load("role_cues")["payer_id_prefixes"])  # money by name: any role is that of a funder
NOT_PAYERS = tuple(load("role_cues")["not_payer_id_prefixes"])  # deciding bodies: never a role in the project
FUNDER_BY_NAME = re.compile(load("role_cues")["funder_by_name"])  # 'ESF-stöd', 'EU-medel': a funder wherever named
COFINANCE_RE = re.compile("|".join(map(re.escape, load("role_cues")["cofinancier_stems"])), re.I)
BODY_HEADS = frozenset(load("role_cues")["body_heads"])  # 'X kommun' in a title is a body, not the project's name
COFINANCIER_KINDS = frozenset(load("role_cues")["cofinancier_kinds"])  # co-financing public bodies are partners too
OWNER_LABEL_RE = re.compile(r"^(?:" + "|".join(map(re.escape, load("role_cues")["owner_labels"])) +
                            r")\s*:\s*(?P<name>[^.:;]+?)\.?\s*$", re.I)
PREPOSITIONS = frozenset(load("role_cues")["prepositions"])
EU_FUNDS = ("fund/", "programme/", "interreg-area", "leader-area")
SITE_FUNDERS = tuple(load("role_cues")["site_funder_id_prefixes"])  # a fund's own site pays for what it lists
FUND_LABELS = frozenset(load("role_cues")["fund_labels_above"])  # 'Berörd fond:' with the fund on the next line
PROGRAMME_FUNDERS = tuple(load("role_cues")["programme_funder_prefixes"])
SUMMARY_MIN = 60
CUT_PROSE_WORDS = 3  # words before a name that make its line running prose (a cut-off text), not an item
SELF_KINDS: dict[str, list[str]] = load("org_linking")["self_kinds"]  # 'kommunen' means the site only if a municipality
FIRST_PERSON = frozenset(load("role_cues")["first_person"])  # 'vi', 'oss': the page's organisation speaking
PROJECT_WORDS = frozenset(load("role_cues")["own_project_words"])  # 'projektet': a sentence about this project
QUOTED_SPEECH = re.compile(load("role_cues")["quoted_speech"])  # '– Vi ...', '..., säger X'
WELCOME_RE = re.compile(page_rules()["welcome_banner"])  # 'Välkommen till X kommun': the site's organisation
KIND_IDS = frozenset(o.id for o in load_registry().by_id.values() if not o.name)  # ids of a kind, not of one body


class Extractor:
    """Run the extraction pipeline over pages in batches and assemble one record per page."""

    def __init__(self) -> None:
        self.nlp = load_nlp()
        self.registry = load_registry()

    def extract(self, pages: Iterable[CleanPage]) -> Iterator[dict]:
        """One record per page, in order; pages that cannot be project pages whatever their facts
        (classify.may_be_project_page) get their record without NLP."""
        pages = iter(pages)
        while chunk := [(page, prepare(page)) for page in islice(pages, CHUNK)]:
            read = [may_be_project_page(page, text.text) for page, text in chunk]
            docs = self.nlp.pipe((self.nlp.make_doc(text.text) for (_, text), nlp in zip(chunk, read) if nlp),
                                 batch_size=BATCH_SIZE)
            for (page, text), nlp in zip(chunk, read):
                yield self.record(page, text, next(docs) if nlp else None)

    def site_organisation(self, page: CleanPage) -> Organisation | None:
        """The organisation that runs the site: from the URL's host, else from the site name."""
        found = self.registry.for_url(page.url)
        if found:
            return found
        name = page.site_org or next((m.group("name") for b in page.blocks[:3] if (m := WELCOME_RE.match(b.text))), None)
        if not name:
            return None
        doc = self.nlp.get_pipe("gazetteer")(self.nlp.make_doc(name))
        linked = [s.id_ for s in doc.spans["gazetteer"] if s.label_ == "ORG"]
        return (self.registry.get(linked[0]) if linked else None) or self.registry.for_site_name(name)

    def record(self, page: CleanPage, text: PageText, doc: Doc | None) -> dict:
        """The page's record: its own dates and the projects it describes (none without a `doc`: a page that
        cannot be a project page)."""
        projects = self.projects(page, text, doc) if doc is not None else []
        published, updated = page.published, page.updated
        if not (published and updated):
            found = page_dates([b.text for b in text.blocks])
            published, updated = published or found[0], updated or found[1]
        is_project = doc is not None and is_project_page(page, projects)
        return {
            "file": None,
            "url": page.url,
            "is_project_page": is_project,
            "title": page_title(text, page.title),
            "published": published,
            "updated": updated,
            "projects": projects if is_project else [],
            "extractor_version": EXTRACTOR_VERSION,
        }

    def projects(self, page: CleanPage, text: PageText, doc: Doc) -> list[dict]:
        """The projects the page describes, each with its facts."""
        site = self.site_organisation(page)
        county = _county(doc, site)
        sections, preamble = split_projects(text, doc, page.title)
        names = project_names(text.text)
        sentences = [(text.block_at(s.start_char), s.text.strip()) for s in doc.sents]
        projects = [self.project(text, doc, section, preamble, site, county, sentences, names) for section in sections]
        return [p for p, s in zip(projects, sections)
                if s.named or any(p[k] for k in ("funders", "partners", "owner", "start", "end"))] or projects

    def entity(self, span: Span, site: Organisation | None, county: str | None) -> dict | None:
        """An organisation mention as {name, mention, kind, evidence}, linked to the registry where possible;
        a bare 'Länsstyrelsen' is the county board of the page's county; None for the page's own organisation when
        unknown and for an unlisted name the page's text is cut off in ('Det ägs av Väst')."""
        org = self.registry.get(span.id_)
        if span.id_ == "self":
            kinds = SELF_KINDS.get(span.text.lower())
            org = site if site is None or kinds is None or site.kind in kinds else None  # 'kommunen' on a region's site
        elif span.id_ == "lansstyrelse" and county:
            org = self.registry.get(f"lansstyrelse/{county}") or org
        if span.id_ == "self" and org is None or org is None and _cut_off(span):
            return None
        return {"name": org.name if org and org.name else span.text, "mention": span.text,
                "kind": org.kind if org else "organisation", "evidence": span.sent.text.strip(), "id": org.id if org else None}

    def project(self, text: PageText, doc: Doc, section: Section, preamble: int, site: Organisation | None,
                county: str | None, sentences: list[tuple[int, str]],
                names: frozenset[str] | set[str] = frozenset()) -> dict:
        """One project's facts from its section's blocks (and the preamble shared by a listing's projects; the
        section's own roles first), with the funders of the page's tail (an EU logo's 'Medfinansieras av');
        sentences: the document's sentences as (block, stripped text), read once per page; names: the names the page
        gives its projects (project_names), never an organisation's."""
        blocks = set(range(section.first, min(section.last, text.owner_box))) | set(range(min(preamble, text.owner_box)))
        blocks |= set(range(*section.intro)) if section.intro else set()
        blocks |= {i for i in section.more if i < text.owner_box}
        tail = set(range(text.owner_box, len(text.blocks)))
        roles: dict[str, list[dict]] = {"funder": [], "partner": [], "owner": [], "none": []}
        for span in sorted(doc.spans["roles"], key=lambda s: text.block_at(s.start_char) < section.first):
            block = text.block_at(span.start_char)
            payer = span.id_.startswith(PAYERS) or bool(FUNDER_BY_NAME.match(span.text))
            role = "funder" if span.label_ != "none" and payer else span.label_
            role = "none" if span.id_.startswith(NOT_PAYERS) else role
            if block in blocks or block in tail and role == "funder":
                found = self.entity(span, site, county)
                if found:
                    roles[role].append({**found, "block": block})
        roles["funder"] += [found | {"block": text.block_at(span.start_char)} for span in doc.spans["orgs"]
                            if text.block_at(span.start_char) in blocks and (FUNDER_BY_NAME.match(span.text) or
                                                                             _below_fund_label(text, span))
                            and (found := self.entity(span, site, county)) is not None]
        names = set(names) | {section.title.lower()}
        roles = {role: [e for e in found if not _names_project(e, section.title, names if role != "funder" else set())]
                 for role, found in roles.items()}
        owners = _unique(roles["owner"])
        listed = self.listed_owner(doc, text, section) if section.owner else self.labelled_owner(doc, text, section)
        owners = [listed] + owners if listed else owners
        owner = owners[0] if owners else self.site_as_owner(text, doc, blocks, site, county, roles)
        section_blocks = [text.blocks[i] for i in sorted(blocks) if section.first <= i]
        section_text = "\n".join(b.text for b in section_blocks)
        period = find_period(section_text) or (find_period("\n".join(b.text for b in text.blocks[:preamble]))
                                               if preamble else None)
        funders = [f for f in _lead_in_funders(text, section, preamble, roles["funder"])
                   if not (period and period.end and dated_after(f["evidence"], period.end))]  # a later phase's payer
        funders = _unique(funders) or _site_funder(site)
        if any(f["id"] and f["id"].startswith(EU_FUNDS) for f in funders):  # 'EU' beside its own fund is that fund
            funders = [f for f in funders if f["id"] not in ("eu/eu", "money/eu")]
        cofinanciers = [f for f in funders if _cofinances(f)]
        host = self.site_as_partner(text, doc, blocks, site, county)
        partners = [p for p in _unique(owners[1:] + roles["partner"] + cofinanciers + ([host] if host else []))
                    if not owner or _key(p) != _key(owner) and not _alias_of(p, owner)]
        sentences = [sentence for block, sentence in sentences if block in blocks]
        budget = (project_budget([s for s in sentences if s in section_text]) or
                  (item_amount(text.blocks[section.first].text) if section.item else None) or project_budget(sentences))
        org_texts = {s.text.lower() for s in doc.spans["orgs"]}
        summary = next((b.text for b in section_blocks if b.kind in ("p", "li") and len(b.text) >= SUMMARY_MIN), None)
        return {
            "title": section.title,
            "summary": summary,
            "funders": [_public(f) for f in funders],
            "partners": [_public(p) for p in partners],
            "owner": _public(owner) if owner else None,
            "start": period.start if period else None,
            "end": period.end if period else None,
            "period_evidence": period.evidence if period else None,
            "budget_sek": budget.sek if budget and budget.currency == "SEK" else None,
            "budget_evidence": budget.evidence if budget and budget.currency == "SEK" else None,
            "contacts": find_contacts(section_blocks, org_texts, [text.blocks[i] for i in sorted(tail)]),
        }

    def listed_owner(self, doc: Doc, text: PageText, section: Section) -> dict | None:
        """The owner a listing item names after its title ('Title, Owner, beviljades N kr')."""
        return self.named_owner(doc, text, section.first, section.owner)

    def labelled_owner(self, doc: Doc, text: PageText, section: Section) -> dict | None:
        """The owner a fact-box line of the section names whole ('Sökande: Leader Fjällbygd med Norrvik')."""
        for i in range(section.first, min(section.last, text.owner_box)):
            m = OWNER_LABEL_RE.match(text.blocks[i].text)
            name = re.sub(r"\s*\([^()]*\)$", "", m.group("name")) if m else ""  # 'Name (KVM)': the name
            if name[:1].isupper() and len(name.split()) <= 10:
                return self.named_owner(doc, text, i, name)
        return None

    def named_owner(self, doc: Doc, text: PageText, index: int, name: str) -> dict:
        """An owner named as written in block index: the organisation whose name covers it, else the name itself,
        linked to the registry where it is known."""
        block = text.blocks[index]
        at = text.starts[index] + block.text.find(name)
        span = next((s for s in list(doc.spans["orgs"]) + list(doc.spans["ner_orgs"])
                     if s.start_char == at and s.end_char >= at + len(name) - 1), None)
        if span is not None and span.id_ != "self":
            return {**self.entity(span, None, None), "block": index}
        org = self.registry.for_name(name)
        return {"name": org.name if org else name, "mention": name, "kind": org.kind if org else "organisation",
                "evidence": block.text, "id": org.id if org else None, "block": index}

    def site_as_partner(self, text: PageText, doc: Doc, blocks: set[int], site: Organisation | None,
                        county: str | None) -> dict | None:
        """The site's own organisation as a partner when the project text speaks as one running it ('I projektet
        ska vi ...'), also where it only funds the project by name (the gold convention)."""
        we = _first_person(text, doc, blocks) if site is not None else None
        return self.entity(we, site, county) if we is not None else None

    def site_as_owner(self, text: PageText, doc: Doc, blocks: set[int], site: Organisation | None, county: str | None,
                      roles: dict[str, list[dict]]) -> dict | None:
        """The site's own organisation as owner when the project text names it (or 'kommunen', 'vi') outside a no-role context."""
        if site is None or any(e["id"] == site.id for e in roles["none"] + roles["funder"] + roles["partner"]):
            return None  # named without a role, as a payer or as one participant among others: not the owner
        for span in doc.spans["orgs"]:
            if text.block_at(span.start_char) in blocks and (span.id_ == site.id or span.id_ == "self"):
                return self.entity(span, site, county) if span.id_ == "self" else {
                    "name": site.name, "mention": span.text, "kind": site.kind, "evidence": span.sent.text.strip(),
                    "id": site.id}
        return None


def _first_person(text: PageText, doc: Doc, blocks: set[int]) -> Span | None:
    """The first 'vi' or 'oss' of the project's blocks in a sentence about the project ('I projektet ska vi ...'),
    not in quoted speech ('– Vi har ..., säger X'): the page speaks as one running the project."""
    return next((s for s in doc.spans["orgs"] if s.id_ == "self" and s.text.lower() in FIRST_PERSON and
                 text.block_at(s.start_char) in blocks and not QUOTED_SPEECH.search(s.sent.text) and
                 any(t.lower_ in PROJECT_WORDS for t in s.sent)), None)


def _cut_off(span: Span) -> bool:
    """Whether a name ends the whole text in running prose without a sentence's end ('... Det ägs av Nord'): the
    text was cut in the middle of it (a list item or fact line ending in a name is whole)."""
    rest, before = span.doc[span.end:], span.doc[span.sent.start:span.start]
    return (all(t.is_space for t in rest) and not span.text.endswith((".", "!", "?", ")")) and
            sum(1 for t in before if t.is_alpha) >= CUT_PROSE_WORDS)


def _county(doc: Doc, site: Organisation | None) -> str | None:
    """The page's county code: the site's, else that of the one county board the page names."""
    if site and site.county_code:
        return site.county_code
    boards = {s.id_.split("/")[1] for s in doc.spans["orgs"] if s.id_.startswith("lansstyrelse/")}
    return boards.pop() if len(boards) == 1 else None


def _lead_in_funders(text: PageText, section: Section, preamble: int, funders: list[dict]) -> list[dict]:
    """A listed project's funders: where the line that introduces its list names funders ('Följande 5 projekt
    beviljades medel ur Regionalfonden:'), those and the item's own, not the funds of the whole round the page
    names before it ('... ur Regionalfonden (5 st) och Socialfonden (1 st)')."""
    if not section.item:
        return funders
    lead = (section.intro[1] if section.intro else preamble) - 1
    if lead < 0 or not text.blocks[lead].text.rstrip().endswith(":") or all(f["block"] != lead for f in funders):
        return funders
    return [f for f in funders if f["block"] == lead or f["block"] >= section.first]


def _below_fund_label(text: PageText, span: Span) -> bool:
    """Whether a known fund or programme is the value of a fact-box label on the line above ('Berörd fond:' then
    'ESF+' on the next line, as a project register writes it)."""
    block = text.block_at(span.start_char)
    return (block > 0 and span.id_.startswith(PROGRAMME_FUNDERS) and
            text.blocks[block].text.strip() == span.text and
            text.blocks[block - 1].text.strip().rstrip(":").strip().lower() in FUND_LABELS and
            text.blocks[block - 1].text.rstrip().endswith(":"))


def _site_funder(site: Organisation | None) -> list[dict]:
    """The site's own fund or programme as the funder of a project it lists without naming a payer (Allmänna
    arvsfonden's list of its grants), else none."""
    if site is None or not site.id.startswith(SITE_FUNDERS):
        return []
    return [{"name": site.name, "mention": site.name, "kind": site.kind, "id": site.id, "block": None,
             "evidence": f"{site.name} publishes the page ({site.host})"}]


def _names_project(entity: dict, title: str, names: set[str]) -> bool:
    """Whether an organisation the rules found is only a project's own name: an unlisted name the page gives a
    project ('Projektet går under namnet Help for Newcomers'; names lower-cased), or one inside the title unless a
    preposition of the title leads to it (the payer in 'Ungdomsutbyte inom Erasmus+')."""
    mention, lowered = entity["mention"], title.lower()
    if entity["id"] is not None or len(mention) <= 3 or mention.split()[-1].lower() in BODY_HEADS:
        return False
    if mention.lower() in names:
        return True
    at = lowered.find(mention.lower())
    return at >= 0 and not set(lowered[:at].split()[-1:]) & PREPOSITIONS


def _cofinances(funder: dict) -> bool:
    """Whether a funder co-finances as one of the project's bodies, so is a partner too (the gold convention): a
    municipality wherever its sentence says 'medfinansi-', a listed body that co-finances as the subject of an active
    verb ('X och Y medfinansierar projektet'), not a body named after the cue ('medfinansieras av X',
    'Medfinansiärer: X') or before a passive one ('stöd från X och medfinansieras av Y')."""
    evidence = funder["evidence"]
    cue = COFINANCE_RE.search(evidence)
    if cue is None:
        return False
    verb = evidence[cue.start():].split(maxsplit=1)[0].strip(".,;:")
    return funder["kind"] in COFINANCIER_KINDS or bool(
        funder["id"] and 0 <= evidence.find(funder["mention"]) < cue.start() and not verb.endswith("s"))


def _alias_of(entity: dict, other: dict) -> bool:
    """Whether an unlisted name is another name of a body: its whole words inside the body's name ('Bygdekraft'
    in 'Ideella föreningen Bygdekraft') or the initials of it ('KCFM' for 'Kompetens Centrum Förnybara
    Material')."""
    if entity["id"] and entity["id"] not in KIND_IDS and entity["id"] == other["id"]:
        return True
    name, full = entity["mention"], other["name"]
    words = full.split()
    initials = "".join(w[0] for w in words if w[:1].isupper())
    return (len(words) > len(name.split()) and f" {name.lower()} " in f" {full.lower()} " or
            len(name) > 2 and name.isupper() and name == initials)


def _key(entity: dict) -> str:
    """What makes two mentions the same organisation: the registry id of a named organisation, else the name (a
    kind's id, such as that of every 'Samordningsförbundet X', is shared by many)."""
    return entity["id"] if entity["id"] and entity["id"] not in KIND_IDS else entity["name"].lower()


def _unique(entities: list[dict]) -> list[dict]:
    """Entities without repeats, first mention kept."""
    seen, out = set(), []
    for entity in entities:
        if _key(entity) not in seen:
            seen.add(_key(entity))
            out.append(entity)
    return out


def _public(entity: dict) -> dict:
    """An entity as output: name, mention, kind, evidence."""
    return {k: entity[k] for k in ("name", "mention", "kind", "evidence")}
