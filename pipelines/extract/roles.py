"""Roles from the sentence: which organisations fund, own or take part in the project, by the cues around them."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from pipelines.extract.knowledge import countries
from pipelines.extract.windows import Windows, windowed

ROLE_CUES = Path(__file__).with_name("data") / "role_cues.json"
NUMBER = {"LIKE_NUM": True, "OP": "+"}  # '#' in a cue phrase: a number, also '3 600 000'


def _is_plain(phrase: str) -> bool:
    """Whether a cue phrase is only words (no '#' number, no '*x' ending, no '~x' misspelling), so a PhraseMatcher on
    LOWER finds it."""
    return not any(word == "#" or word.startswith(("*", "~")) and len(word) > 1 for word in phrase.split())


def _ending_split(phrase: str) -> tuple[list[str], str, list[str]] | None:
    """(words before, x, words after) of a cue phrase whose one special word is an '*x' ending with words after it
    ('*nätverk som', 'som är *coach i'); None for any other phrase."""
    words = phrase.split()
    special = [n for n, word in enumerate(words) if not _is_plain(word)]
    if len(special) != 1 or not words[special[0]].startswith("*") or special[0] == len(words) - 1:
        return None
    return words[:special[0]], words[special[0]][1:].lower(), words[special[0] + 1:]


def _phrase_pattern(nlp: Language, phrase: str) -> list[dict]:
    """The Matcher pattern of a cue phrase: '#' a number, '*x' any word ending in x, '~x' x or a misspelling of it
    one edit away ('finasierats'), else the words as tokenised."""
    out: list[dict] = []
    for word in phrase.split():
        if word == "#":
            out.append(NUMBER)
        elif word.startswith("~") and len(word) > 1:
            out.append({"LOWER": {"FUZZY1": word[1:].lower()}})
        elif word.startswith("*") and len(word) > 1:
            out.append({"LOWER": {"REGEX": f"{re.escape(word[1:].lower())}$"}})
        else:
            out += [{"LOWER": t.lower_} for t in nlp.make_doc(word)]
    return out


def first_come(spans: list[Span]) -> list[Span]:
    """Spans without overlaps, earlier ones in the list winning over later ones, in text order."""
    kept: list[Span] = []
    taken: set[int] = set()
    for span in spans:
        if taken.isdisjoint(range(span.start, span.end)):
            kept.append(span)
            taken.update(range(span.start, span.end))
    return sorted(kept, key=lambda s: s.start)


@dataclass(frozen=True)
class Cue:
    """A matched cue: token range and the roles it gives to organisations after and before it."""

    start: int
    end: int
    after: str | None
    before: str | None


class RoleCues:
    """The cue phrases of role_cues.json compiled into one Matcher, with the list rules around them."""

    def __init__(self, nlp: Language, path: Path = ROLE_CUES) -> None:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        self.max_gap: int = data["max_gap"]
        self.max_gap_before: int = data["max_gap_before"]
        self.connectors = frozenset(data["connectors"])
        self.breakers = frozenset(data["breakers"])
        self.before_breakers = frozenset(data["before_breakers"])
        self.not_names = frozenset(data["not_name_words"])
        self.joiners = frozenset(data["name_joiners"])
        self.compound_joiners = frozenset(data["compound_joiners"])
        self.countries = countries()
        self.max_lower_tail: int = data["max_lower_tail"]
        self.short_word: int = data["short_lower_word"]
        self.logo_words = frozenset(data["logo_words"])
        self.logo_funds = tuple(data["logo_funder_prefixes"])
        self.appositives = tuple(data["appositive_endings"])
        self.prepositions = frozenset(data["prepositions"])
        self.place_prepositions = self.prepositions | frozenset(data["place_prepositions"])
        self.project_nouns = frozenset(data["name_of_project_before"])
        self.list_labels: dict[str, str] = data["list_labels"]
        self.member_groups = frozenset(data["member_groups"])
        self.max_item_words: int = data["max_item_words"]
        self.programme_funders = tuple(data["programme_funder_prefixes"])
        self.fund_parents = tuple(data["fund_parent_prefixes"])
        self.max_items: int = data["max_list_items"]
        self.quiet = re.compile("|".join(data["quiet_sentences"]), re.I)
        by_phrase: dict[str, tuple[str | None, str | None]] = {}
        for cue in data["cues"]:  # a phrase listed under several cues takes the roles of all of them
            for phrase in cue["phrases"]:
                after, before = by_phrase.get(phrase, (None, None))
                by_phrase[phrase] = (after or cue["after"], before or cue["before"])
        self.matcher = Matcher(nlp.vocab)  # phrases with a number or a misspelling, run only where they can match
        self.windows = Windows(nlp.vocab)
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")  # phrases of plain words: one pass per document
        self.tails = PhraseMatcher(nlp.vocab, attr="LOWER")  # the words after an '*x' ending (see _ending_split)
        self.endings: dict[int, list[tuple[int, re.Pattern, list[str]]]] = {}  # tail: (key, ending, words before)
        self.roles: dict[str, tuple[str | None, str | None]] = {}
        for roles in set(by_phrase.values()):
            key = f"{roles[0]}|{roles[1]}"
            self.roles[key] = roles
            phrases = [p for p, r in by_phrase.items() if r == roles]
            plain = [p for p in phrases if _is_plain(p)]
            if plain:
                self.phrases.add(key, [Doc(nlp.vocab, words=[t.lower_ for w in p.split() for t in nlp.make_doc(w)])
                                       for p in plain])
            for head, ending, tail in filter(None, map(_ending_split, phrases)):
                words = [t.lower_ for w in tail for t in nlp.make_doc(w)]
                tail = " ".join(words)
                if nlp.vocab.strings.add(tail) not in self.endings:
                    self.tails.add(tail, [Doc(nlp.vocab, words=words)])
                self.endings.setdefault(nlp.vocab.strings[tail], []).append((nlp.vocab.strings.add(key), re.compile(
                    f"{re.escape(ending)}$"), [t.lower_ for w in head for t in nlp.make_doc(w)]))
            rest = [p for p in phrases if not _is_plain(p) and _ending_split(p) is None]
            if rest:
                patterns = [_phrase_pattern(nlp, p) for p in rest]
                self.matcher.add(key, patterns)
                for pattern in patterns:
                    self.windows.add(pattern)

    def match(self, doc: Doc, sents: list[Span] | None = None) -> list[tuple[int, int, int]]:
        """Every cue phrase found in a document as (match id, start, end), longest first, then in text order; phrases
        with a number or a misspelling only inside one sentence (of `sents`, by default doc.sents)."""
        bounds = [(sent.start, sent.end) for sent in (doc.sents if sents is None else sents)]
        found = self.phrases(doc) + windowed(self.matcher, self.windows, doc, bounds)
        for tail_key, start, end in self.tails(doc):  # an '*x' phrase: its tail found first, then the words before
            for key, ending, head in self.endings[tail_key]:
                at = start - 1 - len(head)
                if at >= 0 and ending.search(doc[start - 1].lower_) and all(
                        doc[at + n].lower_ == word for n, word in enumerate(head)):
                    found.append((key, at, end))
        return sorted(found, key=lambda m: (m[1] - m[2], m[1]))

    def cues(self, sent: Span, orgs: list[Span], matches: list[tuple[int, int, int]] | None = None) -> list[Cue]:
        """Non-overlapping cues in a sentence (longest first), not inside an organisation's name; 'vi' and a programme
        may stand inside a cue ('samverkar vi med', 'i LONA-bidrag från'). `matches` are the document's (see match),
        found once per document; without them the document is matched here."""
        inside = {i for org in orgs if org.label_ == "SELF" or org.id_.startswith("programme/")
                  for i in range(org.start, org.end)}
        taken = {i for org in orgs for i in range(org.start, org.end)} - inside
        found = []
        for match_id, start, end in self.match(sent.doc) if matches is None else matches:
            if start < sent.start or end > sent.end:
                continue
            in_name = (start > sent.start and sent.doc[start].is_title and sent.doc[start - 1].text not in ":;(•" and
                       start not in inside)
            if taken.isdisjoint(range(start, end)) and not in_name:
                after, before = self.roles[sent.doc.vocab.strings[match_id]]
                found.append(Cue(start, end, after, before))
                taken.update(range(start, end))
        return sorted(found, key=lambda c: c.start)

    def candidates(self, sent: Span, orgs: list[Span], cues: list[Cue], places: set[tuple[int, int]]) -> list[Span]:
        """Runs of capitalised words outside known organisations and cues (and not just a place's name):
        names a cue may introduce."""
        taken = {i for s in orgs for i in range(s.start, s.end)} | {i for c in cues for i in range(c.start, c.end)}
        runs, start = [], None
        tokens = list(sent)
        cue_ends = {c.end for c in cues}
        for n, token in enumerate(tokens + [None]):
            capital = token is not None and token.i not in taken and token.text[:1].isupper() and len(token.text) > 1
            joins = token is not None and (token.lower_ in self.joiners or token.lower_ in self.compound_joiners and
                                           n > 0 and tokens[n - 1].text.endswith("-"))  # 'Bygg- och MiljöCentrum'
            joiner = (joins and start is not None and n + 1 < len(tokens)
                      and tokens[n + 1].text[:1].isupper() and tokens[n + 1].i not in taken
                      and not (token.lower_ in self.prepositions and self._place_at(tokens[n + 1], places)))
            # 'Tartu i Estland': where the body is, not its name
            if capital or joiner:
                start = token.i if start is None else start
                continue
            if start is not None:
                end = token.i if token is not None else sent.end
                if start in cue_ends:
                    end = self._lower_tail(sent, end, taken)
                while start < end and sent.doc[start].text in self.not_names:
                    start += 1
                if start < end and (start, end) not in places and self._name_like(sent, start, end, taken, places):
                    runs.append(Span(sent.doc, start, end, "ORG"))
                start = None
        return runs

    def _place_at(self, token, places: set[tuple[int, int]]) -> bool:
        """Whether a token is a country ('Sydafrika'): 'X i <country>' names X where it is. A Swedish place stays
        in the name ('Folkuniversitetet i Umeå', 'Svenska kyrkan i Karlstad': branches are named so)."""
        return token.lower_ in self.countries

    def _lower_tail(self, sent: Span, end: int, taken: set[int]) -> int:
        """The end of a name a cue introduces that goes on in lower-case words: at most max_lower_tail words, none a
        preposition, connector or breaker, that either start with a short word ('Women in trade', 'Hela Sverige ska
        leva') or stand before the name's acronym ('Lokalt ledd utveckling (LLU)'), and are followed by a connector,
        punctuation, a known organisation or the sentence's end; else the capitalised run's own end."""
        doc, stop = sent.doc, end
        while stop < sent.end and stop - end < self.max_lower_tail and doc[stop].is_lower and doc[stop].is_alpha and (
                doc[stop].lower_ not in self.prepositions | self.connectors | self.breakers | self.before_breakers):
            stop += 1
        if stop == end:
            return end
        closes = stop >= sent.end or stop in taken or doc[stop].is_punct or doc[stop].lower_ in self.connectors
        acronym = stop + 1 < sent.end and doc[stop].text == "(" and doc[stop + 1].is_upper
        return stop if closes and (len(doc[end]) <= self.short_word or acronym) else end

    def _name_like(self, sent: Span, start: int, end: int, taken: set[int],
                   places: set[tuple[int, int]] = frozenset()) -> bool:
        """Whether a capitalised run stands as a name in a list: not a compound common noun ('LEADER-områdena'),
        not a lone capitalised first word ('Ungdomsprojekt får ...'), not a place after a preposition ('från Norrbotten'),
        not a part named after a plural noun ('socialförvaltningarna Nordost'),
        not a project's own name ('projektet ”Röster i byn”'), not a genitive before a noun ('Blekinges samtliga')."""
        doc = sent.doc
        if end - start == 1 and ("-" in doc[start].text and doc[start].text.rsplit("-", 1)[1][:1].islower() or
                                 start == sent.start):
            return False
        before = doc[start - 1] if start > sent.start else None
        if before is not None and before.i not in taken and before.lower_ in self.prepositions | self.project_nouns:
            return False
        head = start - 1  # the word before the whole coordinated list of capitalised names
        while head >= sent.start and head not in taken and (doc[head].lower_ in self.connectors or doc[head].is_title):
            head -= 1
        if head >= sent.start and doc[head].is_lower and doc[head].text.endswith(self.appositives):
            return False
        if before is not None and before.text in "”“\"«'":
            return False
        after = doc[end] if end < sent.end else None
        in_place = after is not None and after.lower_ in self.place_prepositions and end + 1 < sent.end and (
            self._place_at(doc[end + 1], places))
        return (after is None or after.i in taken or not after.is_alpha or not after.text[:1].islower() or
                after.lower_ in self.connectors | self.breakers | self.before_breakers or in_place)

    def _depths(self, sent: Span) -> dict[int, int]:
        """Parenthesis depth of each token of a sentence."""
        depth, out = 0, {}
        for token in sent:
            if token.text == ")":
                depth = max(0, depth - 1)
            out[token.i] = depth
            if token.text == "(":
                depth += 1
        return out

    def _gap_ok(self, tokens: list, limit: int, need_connector: bool, breakers: frozenset[str],
                strict: bool = False) -> bool:
        """Whether the tokens between two list members (or a cue and a member) keep them in one list."""
        words = [t for t in tokens if not t.is_space]
        if len(words) > limit or any(t.lower_ in breakers for t in words):
            return False
        if strict:
            return all(t.lower_ in self.connectors for t in words) and (not need_connector or bool(words))
        return not need_connector or any(t.lower_ in self.connectors for t in words)

    def _gaps(self, doc, left: int, right: int, members: list[Span], depths: dict[int, int]) -> list[list]:
        """The token gaps between left, the members wholly inside left..right, and right; deeper parentheses skipped."""
        gaps, position = [], left
        inside = sorted((m for m in members if m.start >= left and m.end <= right), key=lambda m: m.start)
        for member in inside + [None]:
            stop = member.start if member else right
            base = min(depths.get(position - 1, 0), depths.get(stop, 0))
            gaps.append([t for t in doc[position:stop] if depths.get(t.i, 0) <= base])
            if member:
                position = member.end
        return gaps

    def _after_link(self, doc, cue: Cue, org: Span, members: list[Span], depths: dict[int, int]) -> str | None:
        """'strict' or 'loose' when org follows the cue directly or through a list of members, else None."""
        gaps = self._gaps(doc, cue.end, org.start, members, depths)
        if not self._gap_ok(gaps[0], self.max_gap, False, self.breakers):
            return None
        if all(self._gap_ok(g, self.max_gap, True, self.breakers, strict=True) for g in gaps[1:]):
            return "strict"
        return "loose" if all(self._gap_ok(g, self.max_gap, True, self.breakers) for g in gaps[1:]) else None

    def _before_linked(self, doc, org: Span, cue: Cue, members: list[Span], depths: dict[int, int]) -> bool:
        """Whether org precedes the cue directly or through a list of members."""
        gaps = self._gaps(doc, org.end, cue.start, members, depths)
        return self._gap_ok(gaps[-1], self.max_gap_before, False, self.before_breakers) and all(
            self._gap_ok(g, self.max_gap, True, self.before_breakers) for g in gaps[:-1])

    def names(self, sent: Span, orgs: list[Span], cues: list[Cue], places: set[tuple[int, int]],
              named: list[Span]) -> list[Span]:
        """Names outside the known organisations that a cue may introduce: the NER model's organisations and runs of
        capitalised words, each standing as a name (see _name_like; the model may end a name in a lower-case word)."""
        taken = {i for s in orgs for i in range(s.start, s.end)} | {i for c in cues for i in range(c.start, c.end)}
        model = [n for n in named if taken.isdisjoint(range(n.start, n.end)) and (n.start, n.end) not in places
                 and (self._name_like(sent, n.start, n.end, taken) or len(n) > 1 and n[-1].is_lower)]
        both = [n for n in model + self.candidates(sent, orgs, cues, places) if n.text.lower() not in self.countries]
        return first_come(sorted(both, key=lambda s: s.start - s.end))  # the longer reading of a name wins

    def attribute(self, sent: Span, orgs: list[Span], places: set[tuple[int, int]], named: list[Span] = (),
                  matches: list[tuple[int, int, int]] | None = None) -> list[tuple[Span, str]]:
        """(organisation, role) for the organisations of a sentence (and names the cues introduce: `named` by the NER
        model, or capitalised runs) given a role; places are (start, end) of place names, areas rather than organisations;
        matches are the document's cue matches (see match)."""
        cues = self.cues(sent, orgs, matches)
        if self.quiet.search(sent.text):
            return [(org, "none") for org in orgs]
        if not cues:
            return []
        doc = sent.doc
        depths = self._depths(sent)
        extra = self.names(sent, orgs, cues, places, list(named))
        members = sorted(orgs + extra, key=lambda s: s.start)
        out = []
        for member in members:
            if self._is_alias(member, members, depths):
                continue
            depth = depths.get(member.start, 0)
            following = [c for c in cues if c.start >= member.end and depths.get(c.start, 0) <= depth]
            preceding = [c for c in cues if c.end <= member.start and depths.get(c.start, 0) <= depth]
            before = following[0].before if following and self._before_linked(
                doc, member, following[0], members, depths) else None
            after_cue = preceding[-1] if preceding and preceding[-1].after else None
            link = self._after_link(doc, after_cue, member, members, depths) if after_cue else None
            role = after_cue.after if link == "strict" else before or (after_cue.after if link else None)
            if role == "programme":  # 'Program: Smarta Städer, Linnéuniversitetet': a programme and its host
                role = "funder" if member.id_.startswith(self.programme_funders) else "none"
            if role and (role != "none" or member in orgs):
                out.append((member, role))
        return out

    def _is_alias(self, member: Span, members: list[Span], depths: dict[int, int]) -> bool:
        """Whether a member stands in parentheses right after another member: 'Naturresursinstitutet (Luke)'; not a
        fund after the EU ('Europeiska unionen (Regionalfonden)': the fund the EU pays through)."""
        doc, depth = member.doc, depths.get(member.start, 0)
        opening = next((i for i in range(member.start - 1, member.sent.start - 1, -1)
                        if doc[i].text == "(" and depths.get(i, 0) == depth - 1), None)
        return opening is not None and any(m.end == opening and not (
            m.id_.startswith(self.fund_parents) and member.id_.startswith(self.programme_funders)) for m in members)

    def list_label(self, sent: Span) -> str | None:
        """The role a heading such as 'Finansiärer' or 'Projektpartners:' gives to the list below it; a line
        introducing a project group's members ('Följande personer ingår i styrgruppen:') gives "members"."""
        text = sent.text.strip()
        if text.endswith(":") and any(t.lower_ in self.member_groups for t in sent):
            return "members"
        return self.list_labels.get(text.rstrip(":").strip().lower())

    def is_item(self, sent: Span) -> bool:
        """Whether a line is short enough to be an item of a list (at most max_item_words words)."""
        return sum(1 for t in sent if not (t.is_space or t.is_punct)) <= self.max_item_words

    def member_items(self, sent: Span, orgs: list[Span], places: set[tuple[int, int]],
                     named: list[Span] = ()) -> list[Span]:
        """The organisations a group member's item names after the person ('Lisa Berglund, Alvesta kommun',
        'Per Lind, Vattenrådet Nord'); none for a person with a role ('Stina Vallgren, projektledare')."""
        comma = next((t.i for t in sent if t.text == ","), None)
        if comma is None:
            return []
        after = [o for o in orgs if o.start > comma and o.label_ != "SELF"]
        return after or [n for n in self.names(sent, orgs, [], places, list(named)) if n.start > comma]

    def is_logo(self, sent: Span) -> bool:
        """Whether a line is a logo's text ('Logotyp Region Västerbotten')."""
        return next((t.lower_ in self.logo_words for t in sent if not (t.is_space or t.is_punct)), False)

    def logo_fund(self, sent: Span, orgs: list[Span]) -> Span | None:
        """The fund or programme a logo's text shows ('Logotyp Europeiska unionen'), else None."""
        return orgs[0] if self.is_logo(sent) and orgs and orgs[0].id_.startswith(self.logo_funds) else None

    def list_items(self, sent: Span, orgs: list[Span], places: set[tuple[int, int]],
                   named: list[Span] = ()) -> list[Span]:
        """The organisations a list item names: known ones joined by connectors, one name around a known head
        ('Sparbanksstiftelsen Norrbotten', 'Halmstad Energi och Miljö AB'), or a short capitalised name."""
        content = [t for t in sent if not (t.is_space or t.is_punct or t.text in "•·▪–-")]
        content = content[1:] if content and content[0].lower_ in self.logo_words else content
        if not content or len(content) > 8:
            return []
        start, end = content[0].i, content[-1].i + 1
        doc = sent.doc
        inner = [o for o in orgs if o.end > start and o.start < end]
        covered = {i for o in inner for i in range(o.start, o.end)}
        if inner and all(t.i in covered or t.lower_ in self.connectors for t in content):
            return inner
        if len(inner) == 1 and all(t.i in covered or t.is_title or t.is_upper or t.lower_ in self.joiners | {"och"}
                                   for t in content):
            return [Span(doc, start, end, "ORG")]
        if content[-1].is_upper and len(content) > 1 and content[-1].i > content[-2].i + 1:  # 'Göteborgsregionen (GR)'
            content = content[:-1]
            end = content[-1].i + 1
        if len(content) == 1 and content[0].is_title and content[0].text not in self.not_names:
            return [Span(doc, start, end, "ORG")]  # one capitalised word as the whole item: 'Räddningsmissionen'
        names = self.names(sent, orgs, [], places, list(named))
        return [n for n in names if n.start == start and n.end == end and (end - start > 1 or not content[0].is_title)]
