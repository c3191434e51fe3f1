"""Fast matching: exact-text patterns in PhraseMatchers and role cues matched once per document find exactly what
spaCy's span_ruler and a per-sentence token Matcher find."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.matcher import Matcher

from pipelines.extract.components import exact_attr
from pipelines.extract.nlp import PATHS, load_nlp
from pipelines.extract.roles import RoleCues, _phrase_pattern

TEXTS = [
    "Projektet finansieras av Tillväxtverket och Region Norrbotten tillsammans med Luleå kommun och Sida.",
    "I projektet deltar kommunerna Sala, Heby och Tierp. SIDA och sida är inte samma sak som Sida.",
    "Leader Polarital och Stiftelsen Gröna Dalen bidrar med 3 600 000 kronor. Interregmedel från Interreg Aurora.",
    "Länsstyrelsen i Norrbotten, Upplands Väsby kommun och Sparbanksstiftelsen Norrbotten är projektparter.\n"
    "Region Gävleborg medfinansierar projektet med 2 miljoner kronor",
    "Ett nätverk som finansieras av Tillväxtverket har fått projektstöd från Jordbruksverket. Anna Berg från Ale "
    "kommun som är projektsamordnare i delprojektet. Ett utvecklingsprojekt inom ramen för Interreg Aurora.",
    "Norrvik Energi och Miljö AB, Föreningen KVM Nord, Leader NORDVIK och Bygg- och Miljöförbundet deltar. "
    "Högskolan i Norrvik, Sparbanksstiftelsen Norrvik, ESF-stöd, Interregmedel och EU-medel. RF-SISU Norrvik!",
]


@pytest.mark.parametrize("pattern, attr", [
    ([{"ORTH": "Sida"}], "ORTH"),
    ([{"ORTH": "Upplands"}, {"ORTH": "Väsby"}], "ORTH"),
    ([{"LOWER": "region"}, {"LOWER": "gävleborg"}], "LOWER"),
    ([{"lower": "region"}], "LOWER"),
    ([{"LOWER": "Region"}], None),  # never matches in the token Matcher: must not match in a PhraseMatcher either
    ([{"ORTH": "Sida", "OP": "?"}], None),
    ([{"ORTH": {"IN": ["RF-SISU", "SISU"]}}], None),
    ([{"ORTH": "Leader"}, {"IS_TITLE": True}], None),
    ([{"ORTH": "a", "LOWER": "a"}], None),
    ([], None),
    ("Region Gävleborg", None),
])
def test_exact_attr(pattern, attr) -> None:
    assert exact_attr(pattern) == attr


def _spans(doc, key):
    return [(s.start, s.end, s.label_, s.id_) for s in doc.spans[key]]


@pytest.mark.parametrize("name, least", [("gazetteer", 700), ("org_shapes", 10)])
def test_shipped_rulers_find_what_span_ruler_finds(name, least) -> None:
    nlp = load_nlp()
    ruler = nlp.get_pipe(name)
    assert len(ruler.matcher) < 20  # only the patterns with operators or sets are left to the token Matcher
    reference = spacy.blank("sv")
    plain = reference.add_pipe("span_ruler", config={"spans_key": name, "phrase_matcher_attr": "LOWER",
                                                     "spans_filter": {"@misc": "spacy.first_longest_spans_filter.v1"}})
    plain.add_patterns(ruler.patterns)
    assert len(ruler.patterns) == len(plain.patterns) > least
    found_any = 0
    for text in TEXTS:
        found = _spans(ruler(nlp.make_doc(text)), name)
        assert found == _spans(reference(text), name)
        found_any += len(found)
    assert found_any >= len(TEXTS)


def test_exact_span_ruler_mixes_pattern_kinds() -> None:
    nlp = spacy.blank("sv")
    ruler = nlp.add_pipe("exact_span_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": "ORG", "pattern": [{"ORTH": "Sida"}], "id": "sida"},
                        {"label": "ORG", "pattern": "region gävleborg", "id": "r"},
                        {"label": "FUND", "pattern": [{"LOWER": "leader"}, {"IS_TITLE": True, "OP": "+"}]}])
    doc = nlp("Sida, sida, REGION Gävleborg och Leader Polarital")
    assert [(s.text, s.label_, s.id_) for s in doc.spans["ruler"]] == [
        ("Sida", "ORG", "sida"), ("REGION Gävleborg", "ORG", "r"), ("Leader Polarital", "FUND", "")]


def test_role_cues_once_per_document_as_per_sentence() -> None:
    nlp = load_nlp()
    cues = RoleCues(nlp, PATHS["paths.role_cues"])
    assert 0 < len(cues.matcher) < len(cues.phrases)  # plain phrases in the PhraseMatcher, the rest in the Matcher
    per_sentence = Matcher(nlp.vocab)  # the former way: every phrase as a token pattern, run on each sentence
    for key, roles in cues.roles.items():
        per_sentence.add(key, [_phrase_pattern(nlp, p) for p, r in _cue_phrases().items() if r == roles])
    compared = 0
    for text in TEXTS:
        doc = nlp(text)
        whole = cues.match(doc)
        for sent in doc.sents:
            orgs = [o for o in doc.spans["orgs"] if o.start >= sent.start and o.end <= sent.end]
            old = sorted(per_sentence(sent), key=lambda m: (m[1] - m[2], m[1]))
            expected = {(k, s + sent.start, e + sent.start) for k, s, e in old}
            inside = {m for m in whole if m[1] >= sent.start and m[2] <= sent.end}
            assert inside == expected
            assert cues.cues(sent, orgs, whole) == cues.cues(sent, orgs)
            compared += len(expected)
    assert compared >= 5


def _cue_phrases() -> dict[str, tuple[str | None, str | None]]:
    """Every cue phrase of role_cues.json with its (after, before) roles, read again from the file."""
    data = json.loads(Path(PATHS["paths.role_cues"]).read_text("utf-8"))
    by_phrase: dict[str, tuple[str | None, str | None]] = {}
    for cue in data["cues"]:
        for phrase in cue["phrases"]:
            after, before = by_phrase.get(phrase, (None, None))
            by_phrase[phrase] = (after or cue["after"], before or cue["before"])
    return by_phrase
