"""spaCy components of the extraction pipeline: block sentences, organisation linking, role attribution."""
from __future__ import annotations

import json
from pathlib import Path

import numpy
import srsly
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import registry

from pipelines.extract.roles import RoleCues

SENTENCE_END = frozenset({".", "!", "?"})


@registry.readers("kommunarkiv.patterns.v1")
def read_patterns(paths: list[str]) -> list[dict]:
    """All span_ruler patterns of the given JSONL files, in order."""
    return [pattern for path in paths for pattern in srsly.read_jsonl(path)]


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
    """Merge gazetteer, NER and shape spans into doc.spans["orgs"]; promote listed place names to organisations."""

    def __init__(self, nlp: Language, link_data: Path) -> None:
        data = json.loads(Path(link_data).read_text(encoding="utf-8"))
        self.heads: dict[str, str] = data["plural_heads"]
        self.intros: dict[str, str] = data["list_intros"]
        self.window: int = data["intro_window"]
        self.connectors = frozenset(data["list_connectors"])
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

    def __call__(self, doc: Doc) -> Doc:
        gazetteer = list(doc.spans.get("gazetteer", []))
        orgs = [s for s in gazetteer if s.label_ != "PLACE"]
        for run in self._runs(doc, gazetteer):
            places = [s for s in run if s.label_ == "PLACE"]
            if places:
                prefixes = self._licensed(doc, run)
                orgs += [Span(doc, s.start, s.end, "ORG", span_id=s.id_) for s in places
                         if any(s.id_.startswith(p) for p in prefixes)]
        orgs += [Span(doc, s, e, "SELF", span_id="self") for _, s, e in self.selves(doc)]
        orgs += [Span(doc, e.start, e.end, "ORG") for e in doc.ents if e.label_ == "ORG"]
        orgs += [Span(doc, s.start, s.end, "ORG", span_id=s.id_) for s in doc.spans.get("org_shapes", [])]
        doc.spans["orgs"] = _first_come(orgs)
        return doc


def _first_come(spans: list[Span]) -> list[Span]:
    """Spans without overlaps, earlier sources winning over later ones (gazetteer, then NER, then shapes)."""
    kept: list[Span] = []
    taken: set[int] = set()
    for span in spans:
        if taken.isdisjoint(range(span.start, span.end)):
            kept.append(span)
            taken.update(range(span.start, span.end))
    return sorted(kept, key=lambda s: s.start)


@Language.factory("org_linker", default_config={"link_data": None})
def make_org_linker(nlp: Language, name: str, link_data: str) -> OrgLinker:
    """The organisation linker, configured by org_linking.json."""
    return OrgLinker(nlp, Path(link_data))


class ProjectRoles:
    """Give the organisations of each sentence a role from the cues around them: doc.spans["roles"] ("none" included)."""

    def __init__(self, nlp: Language, cues_path: Path) -> None:
        self.cues = RoleCues(nlp, cues_path)

    def __call__(self, doc: Doc) -> Doc:
        orgs = list(doc.spans.get("orgs", []))
        places = {(s.start, s.end) for s in doc.spans.get("gazetteer", []) if s.label_ == "PLACE"}
        roles = []
        listed: str | None = None  # the role of the list being read below a label heading
        items = 0
        for sent in doc.sents:
            inside = [o for o in orgs if o.start >= sent.start and o.end <= sent.end]
            item = self.cues.list_item(sent, inside, places) if listed and items < self.cues.max_items else None
            if item is not None:
                roles.append(Span(doc, item.start, item.end, listed, span_id=item.id_))
                items += 1
                continue
            listed, items = self.cues.list_label(sent), 0
            roles += [Span(doc, o.start, o.end, role, span_id=o.id_)
                      for o, role in self.cues.attribute(sent, inside, places)]
        doc.spans["roles"] = roles
        return doc


@Language.factory("project_roles", default_config={"cues_path": None})
def make_project_roles(nlp: Language, name: str, cues_path: str) -> ProjectRoles:
    """The role attributor, configured by role_cues.json."""
    return ProjectRoles(nlp, Path(cues_path))

