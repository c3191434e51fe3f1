"""The windowed token Matcher (pipelines.extract.windows) finds exactly what spaCy's Matcher finds on the whole
document, on invented sentences."""
from __future__ import annotations

import pytest
import spacy
from spacy.matcher import Matcher

from pipelines.extract.windows import Windows, anchors, reach, repeats, windowed

PATTERNS = [
    [{"IS_TITLE": True, "OP": "{1,5}"}, {"LOWER": {"REGEX": "^[a-zåäö]*(förening|förbundet)$"}}],
    [{"LOWER": {"IN": ["föreningen", "stiftelsen"]}}, {"IS_TITLE": True, "OP": "{1,5}"}],
    [{"ORTH": "Region"}, {"IS_TITLE": True, "OP": "{1,5}"}],
    [{"LOWER": "leader"}, {"IS_UPPER": True, "OP": "+"}],  # no limit after the anchor
    [{"LIKE_NUM": True, "OP": "+"}, {"LOWER": "kronor"}, {"LOWER": "från"}],  # no limit before it
    [{"LOWER": {"FUZZY1": "finansieras"}}, {"LOWER": "av"}],
    [{"TEXT": {"REGEX": "^[A-ZÅÄÖ]{2,}$", "NOT_IN": ["EU", "SEK"]}}, {"IS_TITLE": True, "OP": "{0,4}"}],
    [{"IS_TITLE": True, "OP": "+"}, {"TEXT": {"IN": ["AB", "HB"]}}],  # a plain word test, by the word's text
]
TEXTS = [
    "Projektet finasieras av Stiftelsen Gröna Dalen och Leader NORD VÄST med 3 600 000 kronor från EU.",
    "Region Västra Norrvik, Norrviks Idrottsförening och Föreningen Gamla Bruket. KVM Nord får 200 000 kronor från "
    "SEK-fonden.\nfinansieras av Gröna Byaförbundet",
    "leader leader LEADER ABC 5 kronor från Norrvik Energi AB och Gamla Bruket ab, Bruket HB",
    "",
]


@pytest.mark.parametrize("op, expected", [(None, (1, 1)), ("?", (0, 1)), ("+", (1, None)), ("*", (0, None)),
                                          ("!", (1, 1)), ("{3}", (3, 3)), ("{1,5}", (1, 5)), ("{2,}", (2, None)),
                                          ("{,4}", (0, 4))])
def test_repeats(op, expected) -> None:
    assert repeats(op) == expected


def test_anchors_are_mandatory_specs_of_the_word() -> None:
    assert anchors(PATTERNS[0]) == [0, 1]
    assert anchors(PATTERNS[4]) == [0, 1, 2]
    assert anchors(PATTERNS[7]) == [0, 1]
    assert anchors([{"LOWER": "och", "OP": "?"}, {"IS_TITLE": True}]) == [1]
    assert anchors([{"LOWER": "och", "OP": "!"}, {"IS_TITLE": True, "OP": "*"}]) == []
    assert anchors([{"POS": "PROPN"}]) == []  # not a property of the word alone


def test_reach() -> None:
    assert reach(PATTERNS[0], 1) == (5, 0)
    assert reach(PATTERNS[0], 0) == (4, 5)  # the anchor token may be any of the one to five capitalised words
    assert reach(PATTERNS[3], 0) == (0, None)
    assert reach(PATTERNS[4], 1) == (None, 1)
    assert reach(PATTERNS[4], 0) == (None, None)


def _matchers(nlp):
    matcher, windows = Matcher(nlp.vocab), Windows(nlp.vocab)
    for n, pattern in enumerate(PATTERNS):
        matcher.add(str(n), [pattern])
        windows.add(pattern)
    return matcher, windows


def test_windowed_finds_what_the_matcher_finds() -> None:
    nlp = spacy.blank("sv")
    matcher, windows = _matchers(nlp)
    found = 0
    for _ in range(2):  # the second time from the words' kept verdicts
        for text in TEXTS:
            doc = nlp(text)
            assert sorted(windowed(matcher, windows, doc)) == sorted(matcher(doc))
            found += len(matcher(doc))
    assert found > 20


def test_windowed_inside_sentences() -> None:
    nlp = spacy.blank("sv")
    matcher, windows = _matchers(nlp)
    doc = nlp("Vi får 5 000 kronor från Region Norrvik Dalen och Leader ABC DEF")
    bounds = [(0, 3), (3, 8), (8, 10), (10, 13)]  # sentences: 'Vi får 5' '000 kronor från Region Norrvik' ...
    inside = [m for m in matcher(doc) if any(a <= m[1] and m[2] <= b for a, b in bounds)]
    assert 0 < len(inside) < len(matcher(doc))  # '5 000 kronor från', 'Region Norrvik Dalen' cross a sentence's end
    assert sorted(windowed(matcher, windows, doc, bounds)) == sorted(inside)


def test_pattern_without_anchor_runs_on_the_whole_document() -> None:
    nlp = spacy.blank("sv")
    matcher, windows = Matcher(nlp.vocab), Windows(nlp.vocab)
    pattern = [{"IS_TITLE": True, "OP": "?"}, {"IS_DIGIT": True, "OP": "*"}, {"LOWER": "av", "OP": "!"}]
    matcher.add("X", [pattern])
    windows.add(pattern)
    doc = nlp("Gröna 12 Dalen och av")
    assert windows.stretches(doc) == [(0, len(doc))]
    assert sorted(windowed(matcher, windows, doc)) == sorted(matcher(doc))
