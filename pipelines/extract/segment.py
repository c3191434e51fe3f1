"""A page's text as the pipeline reads it, and its split into projects (listing pages by project headings)."""
from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz
from spacy.tokens import Doc

from pipelines.extract.contact_details import find_emails
from pipelines.extract.knowledge import load
from pipelines.extract.money import parse_amounts
from pipelines.page import Block, CleanPage

PAGE_TEXT = Path(__file__).with_name("data") / "page_text.json"
LONG_BLOCK = 200  # a block this long is running text, not part of a page-owner box
MAX_CHARS = 200_000  # a page's text beyond this is not read: no project page needs more
QUOTED_RE = re.compile(r"[”“\"«]([^”“\"»]{3,120})[”“\"»]")
NAMED_AS_RE = re.compile(r"^(?P<name>[A-ZÅÄÖ0-9][^.:;!?,]{1,70}?) är (?:ett|en)\s+(?:\S+\s+){0,3}?"
                         r"(?:[\w-]*projekt|förstudie|satsning|initiativ)\b")
OWNER_ROLES = ("owner", "funder")
TITLE_DASH_OWNER_RE = re.compile(r"^(?:[^:]{3,80}:\s+)?(?P<title>[^:]{2,80}?)\s+[-–]\s+(?P<owner>[^-–:]{2,80})$")
PROJECT_NOUN_END_RE = re.compile(r"\b(?:projektet|förstudien|satsningen)\s*$", re.I)  # '... får projektet ”X”'
PLURAL_PROJECTS_RE = re.compile(r"\b(?:projekten|projekt|förstudierna|satsningarna)\b")  # 'två projekt: A och B'
SAYS_PROJECT_RE = re.compile(r"\s+[-–]\s+(?:ett|en)\s+[\w-]*(?:projekt|förstudie)$", re.I)  # 'X - ett EU-projekt'
ACRONYM_NAME_RE = re.compile(r"\b\w*projekt(?:et)?\s+(?:vid namn\s+|med namnet\s+)?(?P<name>[A-ZÅÄÖ]{3,})\b")
NAMED_LEAD_WORDS = 10  # a paragraph opening with a name ('Steg mot jobb, inom ...'): at most this many words
NAMED_SIMILARITY = 90  # rapidfuzz partial ratio of a heading or lead to the introduction's words (spelling variants)
DATE_HEADING_RE = re.compile(r"[\d\s./-]+|\d{1,2}\s+[^\W\d_]{3,10}\.?\s+\d{4}")


@dataclass(frozen=True)
class PageText:
    """The page's content blocks (noise dropped), their start offsets in `text`, and where the page-owner box starts."""

    blocks: list[Block]
    starts: list[int]
    text: str
    owner_box: int

    def block_at(self, char: int) -> int:
        """Index of the block holding a character offset."""
        return bisect_right(self.starts, char) - 1


@dataclass(frozen=True)
class Section:
    """One project's blocks [first, last), its title and, for a project listed as one item, the owner's name as the
    item writes it ('Title, Owner, beviljades N kr')."""

    title: str
    first: int
    last: int
    owner: str | None = None
    item: bool = False
    intro: tuple[int, int] | None = None  # blocks [from, to) that open the item's group ('Projekt som beviljas ...')
    named: bool = False  # the page names it as a project: kept even when no fact of its own is found
    more: tuple[int, ...] = ()  # blocks elsewhere on the page about this item ('Projekt Bridge är ...' below the list)


@cache
def page_rules() -> dict:
    """The page-text rules of page_text.json, with regular expressions compiled."""
    data = json.loads(PAGE_TEXT.read_text(encoding="utf-8"))
    data["inline_re"] = re.compile("|".join(re.escape(p) for p in sorted(data["inline"], key=len, reverse=True)))
    data["noise"] = {b.lower() for b in data["noise_blocks"]}
    data["owner_re"] = re.compile(r"^(?:" + "|".join(re.escape(p) for p in data["page_owner"]) + r")(?:\s*:|\s|$)", re.I)
    data["generic"] = {h.lower() for h in data["generic_headings"]}
    data["generic_words"] = frozenset(data["generic_heading_words"])
    data["reader_words"] = frozenset(data["reader_words"])
    data["label_headings"] = frozenset(data["label_headings"])
    data["label_re"] = re.compile(r"^(?:" + "|".join(re.escape(p) for p in data["project_labels"]) + r")\s*:", re.I)
    data["record_re"] = re.compile(r"^(?:" + "|".join(re.escape(p) for p in data["record_labels"]) + r")\s*:\s*(?P<title>\S.*)", re.I)
    data["money_label_re"] = re.compile(r"^(?:" + "|".join(re.escape(p) for p in data["money_labels"]) + r")\s*:", re.I)
    data["separator_re"] = re.compile("|".join(re.escape(p) for p in data["item_separators"]))
    data["owner_stop_re"] = re.compile("|".join(re.escape(p) for p in data["item_owner_stops"]))
    data["not_first"] = frozenset(data["item_not_first_words"]) | frozenset(load("number_words")["cardinals"])
    data["glued_re"] = re.compile(r"^(" + "|".join(re.escape(p) for p in data["glued_labels"]) + r")(?=[A-ZÅÄÖ0-9])|^(" +
                                  "|".join(f"{re.escape(k)}(?={v})" for k, v in data["glued_lower_labels"].items()) + ")")
    data["not_title_re"] = re.compile("|".join(re.escape(p) for p in data["item_not_title_stems"]), re.I)
    data["headline_res"] = [(re.compile(p, re.I), mention)
                            for p, mention in zip(data["headline_titles"], data["headline_needs_mention"], strict=True)]
    cues = "|".join(re.escape(c) for c in sorted(data["project_name_cues"], key=len, reverse=True))
    labels = "|".join(map(re.escape, data["headline_labels"]))
    data["headline_label_re"] = re.compile(rf"^(?:{labels})\s*[:–-]\s*", re.I)
    nouns = "|".join(map(re.escape, data["named_project_nouns"]))
    stops = "|".join(sorted(map(re.escape, data["name_stop_words"]), key=len, reverse=True))
    data["named_project_re"] = re.compile(
        rf"(?<!\w)(?i:{nouns})\s+[”“\"«]?(?P<name>[A-ZÅÄÖ0-9][^.,;:!?()”“\"»\n]{{0,60}}?)[”“\"»]?"
        rf"(?=\s+(?:{stops})(?!\w)|\s*[.,;:!?()\n]|\s*$)")
    data["headline_shape_re"] = re.compile(data["headline_shape"], re.I)
    data["named_before"] = rf"(?<!\w)(?i:{cues})\s+[”“\"«]?"
    return data


def is_label_line(block: Block) -> bool:
    """Whether a block below the page title is a 'Label: value' fact line (which a CMS may render as a heading)."""
    return block.kind != "h1" and bool(re.match(r"^[\wÅÄÖåäö /&+-]{2,40}:\s*\S", block.text))


def _fact_lines(blocks: list[Block]) -> list[Block]:
    """Table rows and definition terms as 'Label: value' lines ("Projektägare | X", dt + dd -> "Projektägare: X")."""
    out: list[Block] = []
    for block in blocks:
        if block.kind == "tr" and " | " in block.text:
            label, value = block.text.split(" | ", 1)
            if len(label.split()) <= 4:
                block = Block("p", f"{label.rstrip(':')}: {value.replace(' | ', ', ')}")
        elif block.kind == "dd" and out and out[-1].kind == "dt":
            out[-1] = Block("p", f"{out[-1].text.rstrip(':')}: {block.text}")
            continue
        out.append(block)
    return out


def prepare(page: CleanPage) -> PageText:
    """The page's blocks without furniture, joined by newlines, with the start of the page-owner box."""
    rules = page_rules()
    blocks, size = [], 0
    for block in _fact_lines(page.blocks):
        if size > MAX_CHARS:
            break
        text = rules["inline_re"].sub("", block.text[:MAX_CHARS]).strip()
        text = rules["glued_re"].sub(lambda m: f"{m.group(0)}: ", text)
        text = re.sub(r"\s+([,.])", r"\1", text)
        if (not text or text.lower() in rules["noise"] or text.lstrip("•·▪/ ").lower() in rules["noise"] or
                text.startswith(tuple(rules["noise_prefixes"]))):
            continue
        blocks.append(Block(block.kind, text))
        size += len(text) + 1
    starts, position = [], 0
    for block in blocks:
        starts.append(position)
        position += len(block.text) + 1
    owner_box = len(blocks)
    for i, block in enumerate(blocks):
        if ((rules["owner_re"].match(block.text) or _asks_reader(block)) and
                all(len(b.text) < LONG_BLOCK for b in blocks[i:])):
            owner_box = i
            break
    return PageText(blocks, starts, "\n".join(b.text for b in blocks), owner_box)


def _asks_reader(block: Block) -> bool:
    """Whether a heading asks the reader a question ('Hittade du det du sökte?', 'Fick du svar på din fråga?'): the
    site's feedback form or service box, which starts the page-owner box when only short blocks follow."""
    words = set(re.findall(r"[^\W\d_]+", block.text.lower()))
    return block.is_heading and block.text.rstrip().endswith("?") and bool(words & page_rules()["reader_words"])


def _is_generic(text: str) -> bool:
    """Whether a heading is a section of a page rather than a name: 'Finansiering och tid', 'Publicerad 2023-02-06'."""
    rules = page_rules()
    words = re.findall(r"[^\W\d_]+", text.lower())
    if DATE_HEADING_RE.fullmatch(text.strip()):  # '19 juni 2019', '2023-02-06'
        return True
    return (text.lower().strip(" :") in rules["generic"] or (bool(words) and words[0] in rules["not_title_prefixes"]) or
            (bool(words) and all(w in rules["generic_words"] for w in words)))


def _is_candidate(block: Block, previous: Block | None = None) -> bool:
    """Whether a block could be a project's heading: not a label or its value, a breadcrumb trail, an e-mail address
    or mostly digits."""
    if not block.is_heading:
        return False
    text = block.text.strip()
    letters = sum(c.isalpha() for c in text)
    after_label = (previous is not None and previous.is_heading and
                   previous.text.lower().strip(" :") in page_rules()["label_headings"])
    return (block.is_heading and not is_label_line(block) and not text.endswith(":") and not _is_generic(text) and
            len(text) <= 150 and letters >= len(text) / 2 and text.count(" / ") < 2 and not after_label and
            text.lower() not in page_rules()["label_headings"] and not find_emails(text))


def _clean_title(text: str, body: str = "") -> str:
    """A heading as a project title ("Om Levande fäbodar" -> "Levande fäbodar", "Craftland - ett EU-projekt" ->
    "Craftland", "Nu startar projektet Gröna gårdar" -> "Gröna gårdar"); body: the project's text, where a headline
    without a project noun ('Gröna gårdar beviljas medel') must name it as a project."""
    text = re.sub(r"^(?:Om|Fakta om|Mer om)\s+", "", text.strip())
    text = page_rules()["headline_label_re"].sub("", text)
    name = _headline_name(text, body)
    if name is None and page_rules()["headline_shape_re"].search(f" {text} "):
        name = _named_project(body)
    text = name or text
    text = SAYS_PROJECT_RE.sub("", text)
    return text.strip(" .:")


def _named_project(body: str) -> str | None:
    """The one project a text names after a project noun ('för projektet Bygdens skafferi.'), else None."""
    names = {m.group("name").strip() for m in page_rules()["named_project_re"].finditer(body)}
    return names.pop() if len(names) == 1 else None


def _headline_name(text: str, body: str) -> str | None:
    """The project's name a news headline is written around (page_text.json 'headline_titles'), else None."""
    for pattern, needs_mention in page_rules()["headline_res"]:
        m = pattern.match(text)
        name = m.group("name").strip(" .:!”“\"«»") if m else ""
        if not (name[:1].isupper() or name[:1].isdigit()):
            continue
        quoted = rf"[”“\"«]{re.escape(name)}[”“\"»]"
        named = rf"{page_rules()['named_before']}{re.escape(name)}(?!\w)"
        if needs_mention and not re.search(rf"{named}|{quoted}", body, re.I):
            continue
        return name
    return None


def page_title(page_text: PageText, fallback: str) -> str:
    """The page's title: its first heading that is not furniture or a generic heading."""
    return next((b.text for b in page_text.blocks if b.is_heading and not _is_generic(b.text)), fallback)


def section_title(page_text: PageText, first: int, last: int, fallback: str) -> str:
    """A project's title: a 'Projektnamn:' record, a quoted project name ('projektet ”X”', 'i detta beslut ”X”'),
    'X är ett projekt', its heading, or the fallback."""
    record = next((m for b in page_text.blocks[first:last] if (m := page_rules()["record_re"].match(b.text))), None)
    if record:
        return record.group("title").strip(" .:")
    for block in page_text.blocks[first:last]:
        for m in QUOTED_RE.finditer(block.text):
            before = block.text[max(0, m.start() - 25):m.start()].lower()
            if any(cue in before for cue in page_rules()["quoted_name_cues"]):
                return m.group(1).strip(" .")
        m = NAMED_AS_RE.match(block.text)
        if m and not m.group("name").lower().startswith(("projektet", "det ", "detta", "den ", "syftet", "målet")):
            return m.group("name").strip()
    heading = next((b.text for i, b in enumerate(page_text.blocks[first:last], first)
                    if _is_candidate(b, page_text.blocks[i - 1] if i else None)), None)
    return _clean_title(heading or fallback, "\n".join(b.text for b in page_text.blocks[first:last]))


NAME_RUN = r"[A-ZÅÄÖ0-9][\w-]*(?:\s+(?:[a-zåäö]{1,3}\s+)?[A-ZÅÄÖ0-9][\w-]*)*"  # 'Help for Newcomers'


@cache
def _project_name_re() -> re.Pattern:
    """'går under namnet X', 'Projektet X', 'projektet ”X”': the name after a naming cue or a project noun."""
    cues = sorted(page_rules()["project_name_cues"], key=len, reverse=True)
    return re.compile(r"\b(?i:" + "|".join(map(re.escape, cues)) + r")\s+[”“\"«]?(?P<name>" + NAME_RUN + ")")


def project_names(text: str) -> set[str]:
    """The names a text gives its projects ('Projektet går under namnet Help for Newcomers'), lower-cased: an
    unlisted organisation by one of these names is the project itself."""
    return {m.group("name").lower() for m in _project_name_re().finditer(text)}


def _has_money(text: str) -> bool:
    """Whether a text names an amount of money (kronor or euro, not a percentage)."""
    return any(a.currency != "%" for a in parse_amounts(text))


def _item(blocks: list[Block], i: int, org_spans: set[tuple[int, int]], start: int) -> tuple[str, str | None] | None:
    """(title, owner as written) when block i starts a project of a listing: a 'Projekt: Title' record, an owner
    heading above '"Name" Projektet ...', '[Theme:] Title - Owner' above 'Projektet ...' (the owner an organisation
    the registry knows), a title line above a money label line, or 'Title<separator>...' with an amount in its first
    sentence; else None.
    org_spans: (start, end) characters of the registry's organisations; start: the block's offset."""
    rules, block = page_rules(), blocks[i]
    record = rules["record_re"].match(block.text)
    if record:
        return record.group("title").strip(" .:"), None
    nxt = blocks[i + 1] if i + 1 < len(blocks) else None
    quoted = QUOTED_RE.match(nxt.text) if nxt is not None else None
    if (quoted and block.is_heading and len(block.text.split()) <= 8 and not _is_generic(block.text) and
            not is_label_line(block)):  # owner as heading, then '"Name" Projektet ska ...'
        return quoted.group(1).strip(" ."), block.text.strip(" .:")
    dash = TITLE_DASH_OWNER_RE.match(block.text)  # 'Utveckling av natur-/kulturarv: Ancient Oaks - Skogsstyrelsen'
    if (dash and nxt is not None and nxt.text.split(" ", 1)[0].lower() in rules["item_detail_starts"] and
            dash.group("title")[:1].isupper() and not _is_generic(dash.group("title")) and
            (start + dash.start("owner"), start + len(block.text)) in org_spans):
        return dash.group("title").strip(), dash.group("owner")
    about = nxt is not None and nxt.text.split(" ", 1)[0].lower() in rules["item_detail_starts"] and _has_money(
        re.split(r"(?<=[.!?])\s+", nxt.text, maxsplit=1)[0])  # 'Projektet beviljas 2,3 miljoner euro.'
    if (nxt is not None and (rules["money_label_re"].match(nxt.text) or about) and not is_label_line(block) and
            len(block.text) <= 200 and block.text[:1].isupper() and not _has_money(block.text)):
        return block.text.strip(" .:"), None
    named = _quoted_grant(block)
    if named:
        return named, None
    text = block.text.lstrip("•*·▪–- ")
    offset = start + len(block.text) - len(text)
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])", text, maxsplit=1)[0]
    separator = rules["separator_re"].search(sentence)
    if separator is None or is_label_line(block) or not _has_money(sentence[separator.start():]):
        return None
    title = sentence[:separator.start()].strip(" .:")
    words = title.split()
    if (not words or not (title[:1].isupper() or title[:1].isdigit() or any(c.isupper() for c in words[0][1:])) or
            words[0].lower() in rules["not_first"] or
            len(words) > rules["item_max_title_words"] or (offset, offset + len(title)) in org_spans or
            rules["not_title_re"].search(title) or _has_money(title)):
        return None
    quoted = QUOTED_RE.search(sentence, separator.end())
    if quoted:  # 'Missionskyrkan Norrvik får stöd med 2 140 000 kr för "Neighbourhood Norrvik"': owner first, name quoted
        return quoted.group(1).strip(" ."), title
    owner = None
    if separator.group(0).strip() in (",", "/"):
        rest = sentence[separator.end():].strip()
        stop = rules["owner_stop_re"].search(rest)
        candidate = rest[:stop.start()].strip() if stop else rest
        if candidate[:1].isupper() and not re.search(r"\d", candidate) and len(candidate.split()) <= 8:
            owner = candidate
    return title, owner


def _quoted_grant(block: Block) -> str | None:
    """The quoted name of a project a paragraph grants money to in passing ('Dessutom får projektet ”Odlingszon 3” 12,4
    miljoner kronor'): a quote right after a project noun, in a sentence with an amount."""
    if block.kind != "p":
        return None
    for sentence in re.split(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])", block.text):
        m = QUOTED_RE.search(sentence)
        if m and PROJECT_NOUN_END_RE.search(sentence[:m.start()]) and _has_money(sentence):
            return m.group(1).strip(" .")
    return None


def _item_detail(block: Block) -> bool:
    """Whether a block details the item above it: 'Projektet beviljas N kr ...', 'Projektfinansiering: N kr'."""
    rules = page_rules()
    return bool(rules["money_label_re"].match(block.text)) or (
        block.text.split(" ", 1)[0].lower() in rules["item_detail_starts"] and _has_money(block.text))


def item_sections(page_text: PageText, doc: Doc) -> list[Section]:
    """Projects listed one per item (see _item): a list item is its own section, a paragraph or record runs to the
    next item; empty unless the page lists at least two."""
    blocks, end = page_text.blocks, page_text.owner_box
    org_spans = {(s.start_char, s.end_char) for s in doc.spans.get("orgs", []) if s.id_ and s.id_ != "self"}
    found, titles = [], set()
    for i in range(end):
        item = _item(blocks, i, org_spans, page_text.starts[i])
        if item and item[0].lower() not in titles:
            found.append((i, item))
            titles.add(item[0].lower())
    if len(found) < 2:
        return []
    spans = []
    for n, (i, _) in enumerate(found):
        stop = found[n + 1][0] if n + 1 < len(found) else end
        if blocks[i].kind == "li":
            stop = min(stop, i + 2 if i + 1 < end and _item_detail(blocks[i + 1]) else i + 1)
        else:
            stop = next((j for j in range(i + 1, stop) if blocks[j].is_heading and _is_candidate(blocks[j], blocks[j - 1])), stop)
        spans.append((i, stop))
    more = _later_mentions(blocks[:end], [title for _, (title, _) in found], spans)
    sections: list[Section] = []
    intro: tuple[int, int] | None = None  # the heading and text that open a group of items, shared by the group
    for n, ((i, (title, owner)), (_, stop)) in enumerate(zip(found, spans)):
        if sections and sections[-1].last < i:
            gap = [j for j in range(sections[-1].last, i) if not any(j in m for m in more)]
            intro = (gap[0], i) if gap and gap == list(range(gap[0], i)) else None
        sections.append(Section(title, i, stop, owner, item=True, intro=intro, more=tuple(more[n]), named=True))
    return sections


def _later_mentions(blocks: list[Block], titles: list[str], spans: list[tuple[int, int]]) -> list[list[int]]:
    """For each listed project, the blocks outside every item that name it and no other listed project ('Projekt
    Bridge är ett integrationsprojekt ...' below the list): more text about that project."""
    inside = {j for first, last in spans for j in range(first, last)}
    patterns = [re.compile(rf"(?<!\w){re.escape(t)}(?!\w)", re.I) if len(t) > 3 else None for t in titles]
    out: list[list[int]] = [[] for _ in titles]
    for j, block in enumerate(blocks):
        if j in inside or block.is_heading:
            continue
        named = [n for n, pattern in enumerate(patterns) if pattern and pattern.search(block.text)]
        if len(named) == 1:
            out[named[0]].append(j)
    return out


def _lead(block: Block) -> str | None:
    """The name a block opens with: a heading's whole text, or a paragraph's words before its first comma
    ('Steg mot jobb, inom insatsområdet ...'); None when the block cannot open with a name."""
    if block.is_heading:
        return block.text.strip(" .:") if _is_candidate(block) else None
    lead = block.text.split(",", 1)[0] if "," in block.text else ""
    words = lead.split()
    if not words or len(words) > NAMED_LEAD_WORDS or not lead[:1].isupper() or words[0].lower() in page_rules()["not_first"]:
        return None
    return lead.strip()


def named_sections(page_text: PageText, doc: Doc) -> list[Section]:
    """Projects an introduction names ('inleds projekten A och B', 'Projekten A, B samt C är ...'), each run from the
    heading or paragraph that opens with its name to the next one; empty unless two or more are found. A registry
    organisation is never such a name."""
    blocks, end = page_text.blocks, page_text.owner_box
    org_spans = {(s.start_char, s.end_char) for s in doc.spans.get("orgs", []) if s.id_ and s.id_ != "self"}
    for intro in range(min(end, 4)):
        words = blocks[intro].text.lower()
        if not PLURAL_PROJECTS_RE.search(words):
            continue
        found: list[tuple[int, str]] = []
        for i in range(intro + 1, end):
            lead = _lead(blocks[i])
            start = page_text.starts[i] + blocks[i].text.find(lead or "")
            if (lead and len(lead) > 3 and (start, start + len(lead)) not in org_spans and
                    lead.lower() not in {t.lower() for _, t in found} and
                    fuzz.partial_ratio(lead.lower(), words, score_cutoff=NAMED_SIMILARITY)):
                found.append((i, lead))
        if len(found) >= 2:
            return [Section(_clean_title(title), i, found[n + 1][0] if n + 1 < len(found) else end, named=True)
                    for n, (i, title) in enumerate(found)]
    return []


@cache
def _several_projects_re() -> re.Pattern:
    """'Tre projekt som ...', 'två nya EU-projekt', '3 projekt': a page announcing several projects."""
    numbers = [w for w, n in load("number_words")["cardinals"].items() if n >= 2]
    return re.compile(r"\b(?:\d+|" + "|".join(map(re.escape, numbers)) + r")\s+(?:nya\s+)?[\w-]*projekt\b", re.I)


def acronym_sections(page_text: PageText) -> list[Section]:
    """Projects a news text names one per paragraph by an acronym after a project noun ('ett regionalfondsprojekt
    vid namn NOVA', 'samarbetsprojektet TRAMPOLIN') when the page announces several ('Tre projekt som ...'): each
    paragraph naming one starts its project, and later blocks join the project they name (a 'Projektnamn: NOVA'
    fact box) or, naming none, the one before them; empty unless two are found."""
    blocks, end = page_text.blocks, page_text.owner_box
    firsts: dict[str, int] = {}
    for i, block in enumerate(blocks[:end]):
        m = ACRONYM_NAME_RE.search(block.text) if block.kind == "p" else None
        if m and m.group("name") not in firsts:
            firsts[m.group("name")] = i
    if len(firsts) < 2 or not any(_several_projects_re().search(b.text) for b in blocks[:min(firsts.values())]):
        return []
    names = sorted(firsts, key=firsts.get)
    runs: dict[str, list[int]] = {name: [] for name in names}
    current = None
    for i in range(firsts[names[0]], end):
        named = [n for n in names if re.search(rf"\b{re.escape(n)}\b", blocks[i].text)]
        current = named[0] if len(named) == 1 else current
        runs[current].append(i)
    return [Section(_acronym_title(blocks, runs[n], n), firsts[n], firsts[n] + 1, named=True,
                    more=tuple(i for i in runs[n] if i != firsts[n])) for n in names]


def _acronym_title(blocks: list[Block], run: list[int], name: str) -> str:
    """A project's title: its 'Projektnamn:' record in its run ('BAS (Bygga attraktiva ...)'), else the acronym."""
    record = next((m for i in run if (m := page_rules()["record_re"].match(blocks[i].text))), None)
    return record.group("title").strip(" .:") if record and name in record.group("title") else name


def split_projects(page_text: PageText, doc: Doc, page_title: str) -> tuple[list[Section], int]:
    """The page's project sections and the number of leading preamble blocks whose facts all projects share."""
    blocks, end = page_text.blocks, page_text.owner_box
    items = item_sections(page_text, doc)
    if items:
        return items, items[0].first
    named = named_sections(page_text, doc) or acronym_sections(page_text)
    if named:
        return named, named[0].first
    fact_blocks = {i for i, b in enumerate(blocks[:end]) if page_rules()["label_re"].match(b.text)}
    fact_blocks |= {page_text.block_at(s.start_char) for s in doc.spans.get("roles", []) if s.label_ in OWNER_ROLES}
    named = {page_text.block_at(s.start_char) for s in doc.spans.get("roles", [])
             if blocks[page_text.block_at(s.start_char)].text.strip(" •-–:.") == s.text}
    candidates = [i for i, b in enumerate(blocks[:end]) if _is_candidate(b, blocks[i - 1] if i else None) and i not in named]
    heads = []
    for n, i in enumerate(candidates):
        stop = candidates[n + 1] if n + 1 < len(candidates) else end
        if any(i < f < stop for f in fact_blocks) or SAYS_PROJECT_RE.search(blocks[i].text):
            heads.append(i)
    if len(heads) >= 3 and heads[0] == candidates[0] and not any(f < heads[0] for f in fact_blocks):
        preamble, heads = heads[1], heads[1:]
    elif len(heads) >= 2:
        preamble = heads[0]
    else:
        return [Section(section_title(page_text, 0, end, page_title), 0, end)], 0
    sections = [Section(_clean_title(blocks[h].text), h, heads[n + 1] if n + 1 < len(heads) else end)
                for n, h in enumerate(heads)]
    return [Section(section_title(page_text, s.first, s.last, s.title), s.first, s.last) for s in sections], preamble
