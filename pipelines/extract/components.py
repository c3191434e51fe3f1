"""spaCy components of the extraction pipeline: block sentences, organisation linking, role attribution."""
from __future__ import annotations

import bisect
import json
import re
import warnings
from pathlib import Path
from typing import Any

import numpy
import srsly
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import SpanRuler
from spacy.pipeline.span_ruler import DEFAULT_SPANS_KEY
from spacy.tokens import Doc, Span
from spacy.util import registry

from pipelines.extract.roles import RoleCues, first_come
from pipelines.extract.windows import Windows, windowed

SENTENCE_END = frozenset({".", "!", "?"})


@registry.readers("kommunarkiv.patterns.v1")
def read_patterns(paths: list[str]) -> list[dict]:
    """All span_ruler patterns of the given JSONL files, in order."""
    return [pattern for path in paths for pattern in srsly.read_jsonl(path)]


EXACT_ATTRS = ("ORTH", "LOWER")


def exact_attr(pattern: Any) -> str | None:
    """"ORTH" or "LOWER" when a token pattern only spells out words by that one attribute ([{"ORTH": "Sida"}]),
    so a PhraseMatcher finds exactly what the token Matcher would; None for any other pattern."""
    if not isinstance(pattern, list) or not pattern:
        return None
    attrs = {key for token in pattern for key in token}
    if len(attrs) != 1 or not all(len(token) == 1 and isinstance(next(iter(token.values())), str) for token in pattern):
        return None
    attr = attrs.pop().upper()
    if attr not in EXACT_ATTRS or attr == "LOWER" and any(t[k] != t[k].lower() for t in pattern for k in t):
        return None
    return attr


class ExactSpanRuler(SpanRuler):
    """spaCy's span_ruler with its exact-text token patterns ([{"ORTH": "Sida"}, ...]) in PhraseMatchers by ORTH or
    LOWER: one hash lookup pass per document instead of a token-Matcher state per pattern and token. Patterns with
    operators, sets or other attributes stay in the token Matcher, run only around the words they need
    (pipelines.extract.windows); the spans found are the same as span_ruler's."""

    def clear(self) -> None:
        super().clear()
        self.windows = Windows(self.nlp.vocab)
        self.exact = {attr: PhraseMatcher(self.nlp.vocab, attr=attr, validate=self.validate) for attr in EXACT_ATTRS}
        if str(self.phrase_matcher_attr).upper() in self.exact:
            self.exact[str(self.phrase_matcher_attr).upper()] = self.phrase_matcher

    def add_patterns(self, patterns: list[dict[str, Any]]) -> None:
        kept = self._patterns + list(patterns)
        general = []
        for entry in patterns:
            attr = exact_attr(entry["pattern"])
            if attr is None:
                general.append(entry)
                if not isinstance(entry["pattern"], str):
                    self.windows.add(entry["pattern"])
                continue
            label = repr((entry["label"], entry.get("id", "")))
            self._match_label_id_map[self.nlp.vocab.strings.as_int(label)] = {"label": entry["label"],
                                                                              "id": entry.get("id", "")}
            words = [next(iter(token.values())) for token in entry["pattern"]]
            self.exact[attr].add(label, [Doc(self.nlp.vocab, words=words)])
        super().add_patterns(general)
        self._patterns = kept

    def match(self, doc: Doc) -> list[Span]:
        self._require_patterns()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="\\[W036")
            matches = windowed(self.matcher, self.windows, doc)
            for matcher in self.exact.values():
                matches += matcher(doc) if len(matcher) else []
        labels = self._match_label_id_map
        return sorted({Span(doc, start, end, label=labels[key]["label"], span_id=labels[key]["id"])
                       for key, start, end in matches if start != end})


@Language.factory("exact_span_ruler", assigns=["doc.spans"],
                  default_config={"spans_key": DEFAULT_SPANS_KEY, "spans_filter": None, "annotate_ents": False,
                                  "ents_filter": {"@misc": "spacy.first_longest_spans_filter.v1"},
                                  "phrase_matcher_attr": None, "validate": False, "overwrite": True})
def make_exact_span_ruler(nlp: Language, name: str, spans_key: str | None, spans_filter: Any, annotate_ents: bool,
                          ents_filter: Any, phrase_matcher_attr: str | None, validate: bool,
                          overwrite: bool) -> ExactSpanRuler:
    """An ExactSpanRuler, configured like spaCy's span_ruler."""
    return ExactSpanRuler(nlp, name, spans_key=spans_key, spans_filter=spans_filter, annotate_ents=annotate_ents,
                          ents_filter=ents_filter, phrase_matcher_attr=phrase_matcher_attr, validate=validate,
                          overwrite=overwrite)


@Language.component("block_sentencizer")
def block_sentencizer(doc: Doc) -> Doc:
    """Sentences that never cross a block (blocks are joined by newlines) and end at . ! ? before a capital."""
    starts = numpy.full((len(doc), 1), -1, dtype="int64")  # SENT_START: 1 starts a sentence, -1 does not
    for i, token in enumerate(doc):
        previous = doc[i - 1] if i else None
        if previous is None or (not token.is_space and (
                (previous.is_space and "\n" in previous.text) or
                (previous.text in SENTENCE_END and (token.is_title or token.is_upper or token.text[:1] in "”\"–-•")))):
            starts[i, 0] = 1
    return doc.from_array([SENT_START], starts.astype("uint64")) if len(doc) else doc


class OrgLinker:
    """Merge gazetteer and shape spans into doc.spans["orgs"] and promote listed place names to organisations;
    the NER model's organisations go to doc.spans["ner_orgs"], names that only a role cue or a list can make count."""

    def __init__(self, nlp: Language, link_data: Path, cues_path: Path) -> None:
        data = json.loads(Path(link_data).read_text(encoding="utf-8"))
        self.not_names = frozenset(json.loads(Path(cues_path).read_text(encoding="utf-8"))["not_name_words"])
        self.branches = tuple(data["branch_prefixes"])
        self.branch_joiners = frozenset(data["branch_joiners"])
        self.descriptors = frozenset(data["descriptors"])
        self.heads: dict[str, str] = data["plural_heads"]
        self.intros: dict[str, str] = data["list_intros"]
        self.window: int = data["intro_window"]
        self.connectors = frozenset(data["list_connectors"])
        self.extendable = frozenset(data["extendable_ids"])
        self.coordinators = frozenset(data["name_coordinators"])
        suffixes = data["department_suffixes"] + data["department_compound_suffixes"]
        self.department_re = re.compile(r"(?:" + "|".join(map(re.escape, sorted(suffixes, key=len, reverse=True))) +
                                        r")\b", re.I)  # the word's end; its start is found by hand (no backtracking)
        self.compound_departments = frozenset(data["department_compound_suffixes"])
        self.selves = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.selves.add("SELF", [nlp.make_doc(s) for s in data["self_references"]])

    def _runs(self, doc: Doc, spans: list[Span]) -> list[list[Span]]:
        """Gazetteer spans grouped into coordinated lists (joined only by connectors)."""
        runs: list[list[Span]] = []
        for span in sorted(spans, key=lambda s: s.start):
            between = [t for t in doc[runs[-1][-1].end:span.start] if not t.is_space] if runs else None
            if runs and len(between) <= 2 and all(t.lower_ in self.connectors for t in between):
                runs[-1].append(span)
            else:
                runs.append([span])
        return runs

    def _licensed(self, doc: Doc, run: list[Span]) -> set[str]:
        """Id prefixes ("kommun/") that the words around a list license for its bare place names."""
        prefixes = set()
        end = run[-1].end
        if end < len(doc) and doc[end].lower_ in self.heads:
            prefixes.add(self.heads[doc[end].lower_])
        if run[-1].label_ == "ORG":
            prefixes.add(run[-1].id_.split("/")[0] + "/")
        window = " ".join(t.lower_ for t in doc[max(0, run[0].start - self.window):run[0].start])
        prefixes.update(prefix for intro, prefix in self.intros.items() if f" {intro} " in f" {window} ")
        return prefixes

    def _trimmed(self, span: Span) -> Span | None:
        """A shape or NER span without leading sentence words ("Under Tornedalens folkhögskola") or a lower-case
        descriptor ("företaget Edtech Nordic AB"); None if nothing is left."""
        start = span.start
        while start < span.end and (span.doc[start].text in self.not_names or span.doc[start].text in self.descriptors):
            start += 1
        return Span(span.doc, start, span.end, "ORG", span_id=span.id_) if start < span.end else None

    def _branches(self, doc: Doc, orgs: list[Span], places: list[Span]) -> list[Span]:
        """National actors with the county, place or region of their branch: 'LRF Gotland', 'Svenska kyrkan i Karlstad',
        'Företagarna Skaraborg'."""
        after = {p.start: p.end for p in places}
        out = []
        for org in (o for o in orgs if o.id_.startswith(self.branches)):
            at = org.end + (1 if org.end < len(doc) and doc[org.end].lower_ in self.branch_joiners else 0)
            word = doc[at] if at < len(doc) else None
            named = word is not None and word.is_title and word.text not in self.not_names
            end = after.get(at) or (at + 1 if named else None)
            if end is not None:
                out.append(Span(doc, org.start, end, org.label_, span_id=org.id_))
        return out

    @staticmethod
    def _amp_extended(span: Span) -> Span:
        """A name with its '& Word' tail ('Samordningsförbundet Sjö & Skog'): a name never ends before '&'."""
        doc, end = span.doc, span.end
        while end + 1 < len(doc) and doc[end].text == "&" and doc[end + 1].is_title:
            end += 2
            while end < len(doc) and doc[end].is_title and not doc[end].is_sent_start:
                end += 1
        return span if end == span.end else Span(doc, span.start, end, span.label_, span_id=span.id_)

    def _split_coordinated(self, shape: Span, ents: set[tuple[int, int]]) -> list[Span]:
        """A name shape spanning 'A och B AS' as two organisations when the NER model reads A as one on its own
        ('Bygdekraft och Fjellnett AS'); kept whole otherwise ('Norrvik Energi och Miljö AB')."""
        joint = next((t.i for t in shape if t.lower_ in self.coordinators), None)
        if joint is None or joint == shape.start or (shape.start, joint) not in ents:
            return [shape]
        return [Span(shape.doc, shape.start, joint, shape.label_, span_id=shape.id_),
                Span(shape.doc, joint + 1, shape.end, shape.label_, span_id=shape.id_)]

    def _departments(self, doc: Doc, orgs: list[Span], places: list[Span]) -> list[Span]:
        """A municipality's department as that municipality ('Från Ronneby deltar samhällsbyggnadsförvaltningen',
        'integrationsenheten i Växjö kommun'): a lower-case word ending in a department suffix (or one opening its
        sentence), linked to the one municipality its sentence names, else to the page's own organisation."""
        out = []
        text = doc.text
        for match in self.department_re.finditer(text):
            start = match.start()
            while start and (text[start - 1].isalpha() or text[start - 1] == "-"):
                start -= 1  # the whole word: 'samhällsbyggnadsförvaltningen'
            if start == match.start() and match.group(0).lower() in self.compound_departments:
                continue  # 'förvaltning' alone is management
            found = doc.char_span(start, match.end())
            token = found[0] if found is not None and len(found) == 1 else None
            if token is None or not (token.is_lower or token.is_sent_start):
                continue
            sent = token.sent
            towns = {s.id_ for s in orgs + places if s.id_.startswith("kommun/") and sent.start <= s.start < sent.end}
            if len(towns) == 1:
                out.append(Span(doc, token.i, token.i + 1, "ORG", span_id=towns.pop()))
            elif not towns:
                out.append(Span(doc, token.i, token.i + 1, "SELF", span_id="self"))
        return out

    @staticmethod
    def _in_name(doc: Doc, start: int) -> bool:
        """Whether a self reference is the last word of a name ('Ljungby-Älmhult Regionen'): a capitalised word
        of the same sentence right before it."""
        return start > 0 and not doc[start].is_sent_start and doc[start].is_title and doc[start - 1].is_title

    @staticmethod
    def _heads_acronym(doc: Doc, start: int, end: int) -> bool:
        """Whether a capitalised self reference heads a name with its acronym ('Förbundet SKPF'): an upper-case
        word of two letters or more right after it."""
        return doc[start].is_title and end < len(doc) and doc[end].is_upper and doc[end].is_alpha and len(doc[end]) > 1

    @staticmethod
    def _name_goes_on(doc: Doc, place: Span) -> bool:
        """Whether a place name is the first word of a longer name ('<Ort> Folkets Hus'), not a bare municipality."""
        return place.end < len(doc) and doc[place.end].is_title

    def __call__(self, doc: Doc) -> Doc:
        gazetteer = list(doc.spans.get("gazetteer", []))
        orgs = [s for s in gazetteer if s.label_ != "PLACE"]
        orgs = self._branches(doc, orgs, [s for s in gazetteer if s.label_ == "PLACE"]) + orgs
        for run in self._runs(doc, gazetteer):
            places = [s for s in run if s.label_ == "PLACE"]
            if places:
                prefixes = self._licensed(doc, run)
                orgs += [Span(doc, s.start, s.end, "ORG", span_id=s.id_) for s in places
                         if any(s.id_.startswith(p) for p in prefixes) and not self._name_goes_on(doc, s)]
        orgs += [Span(doc, s, e, "SELF", span_id="self") for _, s, e in self.selves(doc)
                 if not self._in_name(doc, s) and not self._heads_acronym(doc, s, e)]
        ents = {(e.start, e.end) for e in doc.ents if e.label_ == "ORG"}
        shapes = [part for span in map(self._trimmed, doc.spans.get("org_shapes", [])) if span is not None
                  for part in self._split_coordinated(span, ents)]
        orgs = [self._amp_extended(o) if o.label_ != "SELF" else o for o in orgs]
        orgs += self._departments(doc, orgs, [s for s in gazetteer if s.label_ == "PLACE"])
        heads = {(o.start, o.end) for o in orgs if o.id_ in self.extendable}  # 'Interreg' + an area no list has
        orgs = [s for s in shapes if any(s.start == a and s.end > b for a, b in heads)] + orgs + shapes
        doc.spans["orgs"] = first_come(orgs)
        doc.spans["ner_orgs"] = [span for span in map(self._trimmed, [e for e in doc.ents if e.label_ == "ORG"])
                                 if span is not None and len(span.text) > 2 and not span.text.endswith("-")]
        return doc


@Language.factory("org_linker", default_config={"link_data": None, "cues_path": None})
def make_org_linker(nlp: Language, name: str, link_data: str, cues_path: str) -> OrgLinker:
    """The organisation linker, configured by org_linking.json (and the not-name words of role_cues.json)."""
    return OrgLinker(nlp, Path(link_data), Path(cues_path))


def by_sentence(matches: list[tuple[int, int, int]], sents: list[Span]) -> list[list[tuple[int, int, int]]]:
    """The matches (match id, start, end) of a document grouped by the sentence they lie wholly inside, order kept."""
    starts = [sent.start for sent in sents]
    out: list[list[tuple[int, int, int]]] = [[] for _ in sents]
    for match in matches:
        at = bisect.bisect_right(starts, match[1]) - 1
        if at >= 0 and match[2] <= sents[at].end:
            out[at].append(match)
    return out


class ProjectRoles:
    """Give the organisations of each sentence a role from the cues around them: doc.spans["roles"] ("none" included).
    A logo in a list ('Logotyp X' below 'Finansiärer') takes the list's role unless X owns the project; the logo of
    a fund or programme ('Logotyp Europeiska unionen') makes it a funder anywhere."""

    def __init__(self, nlp: Language, cues_path: Path) -> None:
        self.cues = RoleCues(nlp, cues_path)

    def __call__(self, doc: Doc) -> Doc:
        orgs = list(doc.spans.get("orgs", []))
        ner = list(doc.spans.get("ner_orgs", []))
        places = {(s.start, s.end) for s in doc.spans.get("gazetteer", []) if s.label_ == "PLACE"}
        roles, logos = [], []
        listed: str | None = None  # the role of the list being read below a label heading
        items = 0
        sents = list(doc.sents)
        matches = by_sentence(self.cues.match(doc, sents), sents)
        for sent, sent_matches in zip(sents, matches):
            inside = [o for o in orgs if o.start >= sent.start and o.end <= sent.end]
            named = [n for n in ner if n.start >= sent.start and n.end <= sent.end]
            found = [] if not listed or items >= self.cues.max_items else (
                self.cues.member_items(sent, inside, places, named) if listed == "members" else
                self.cues.list_items(sent, inside, places, named))
            if found or listed == "members" and self.cues.is_item(sent):
                role = "partner" if listed == "members" else listed
                spans = [Span(doc, item.start, item.end, role, span_id=item.id_) for item in found]
                (logos if self.cues.is_logo(sent) else roles).extend(spans)
                items += 1
                continue
            listed, items = self.cues.list_label(sent), 0
            found = self.cues.attribute(sent, inside, places, named, sent_matches)
            roles += [Span(doc, o.start, o.end, role, span_id=o.id_) for o, role in found]
            fund = self.cues.logo_fund(sent, inside)
            if fund is not None and fund not in {o for o, _ in found}:
                logos.append(Span(doc, fund.start, fund.end, "funder", span_id=fund.id_))
        owners = {(s.id_ or s.text) for s in roles if s.label_ == "owner"}
        doc.spans["roles"] = sorted(roles + [s for s in logos if (s.id_ or s.text) not in owners], key=lambda s: s.start)
        return doc


@Language.factory("project_roles", default_config={"cues_path": None})
def make_project_roles(nlp: Language, name: str, cues_path: str) -> ProjectRoles:
    """The role attributor, configured by role_cues.json."""
    return ProjectRoles(nlp, Path(cues_path))

