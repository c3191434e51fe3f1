"""A token Matcher run only on the stretches of a document where its patterns can match.

spaCy's Matcher starts every pattern at every token and calls its REGEX, IN and FUZZY predicates on each token again in
every document. Every match of a pattern holds a token that satisfies each of its mandatory token specs (an anchor),
and lies within as many tokens before and after that token as the specs around the anchor can take. So the Matcher
run on those stretches only finds exactly what it finds on the whole document. Which anchors a word satisfies is
found once per word and kept for the next documents: spaCy's own Matcher decides, on the token itself, except for plain
word tests ({"LOWER": "kronor"}, {"ORTH": {"IN": [...]}}), where the word's text is compared as spaCy compares it.
"""
from __future__ import annotations

import bisect
import re
from typing import Any

from spacy.attrs import ORTH
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

# Token attributes that depend on the word alone, so an anchor's verdict on a word holds wherever the word stands.
LEXICAL = frozenset({"ORTH", "TEXT", "LOWER", "LENGTH", "IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER",
                     "IS_TITLE", "IS_PUNCT", "IS_SPACE", "LIKE_NUM"})
WORD_ATTRS = ("ORTH", "TEXT", "LOWER")
REPEAT_RE = re.compile(r"^\{(\d*)(,?)(\d*)\}$")  # the counts of OP "{n}", "{n,m}", "{n,}", "{,m}"
UNBOUNDED = None


def repeats(op: str | None) -> tuple[int, int | None]:
    """(least, most) tokens a token spec with operator `op` takes; most None when unbounded ('+', '*', '{n,}')."""
    fixed = {None: (1, 1), "!": (1, 1), "?": (0, 1), "+": (1, UNBOUNDED), "*": (0, UNBOUNDED)}
    if op in fixed:
        return fixed[op]
    m = REPEAT_RE.match(op)
    if m is None:
        raise ValueError(f"unknown token pattern operator: {op!r}")
    least = int(m.group(1) or 0)
    most = int(m.group(3)) if m.group(3) else (least if not m.group(2) else UNBOUNDED)
    return least, most


def anchors(pattern: list[dict[str, Any]]) -> list[int]:
    """The indices of the token specs that every match of `pattern` holds and that test the word alone (not negated,
    not optional, only attributes of the word): the pattern's possible anchors; none means it can match anywhere."""
    out = []
    for index, spec in enumerate(pattern):
        op = spec.get("OP")
        tests = {k.upper() for k in spec if k.upper() != "OP"}
        if op != "!" and repeats(op)[0] >= 1 and tests and tests <= LEXICAL:
            out.append(index)
    return out


def reach(pattern: list[dict[str, Any]], at: int) -> tuple[int | None, int | None]:
    """How many tokens a match may take before and after one token that the spec at index `at` matched (None: no
    limit): the most the specs before and after it take, and the spec's own further repeats on either side."""
    def most(specs: list[dict[str, Any]]) -> int | None:
        counts = [repeats(spec.get("OP"))[1] for spec in specs]
        return UNBOUNDED if UNBOUNDED in counts else sum(counts)
    own = most([pattern[at]])
    own = UNBOUNDED if own is UNBOUNDED else own - 1
    before, after = most(pattern[:at]), most(pattern[at + 1:])
    return (UNBOUNDED if UNBOUNDED in (before, own) else before + own,
            UNBOUNDED if UNBOUNDED in (after, own) else after + own)


def _wider(a: tuple[int | None, int | None], b: tuple[int | None, int | None]) -> tuple[int | None, int | None]:
    """The larger of two reaches, side by side."""
    return tuple(UNBOUNDED if UNBOUNDED in (x, y) else max(x, y) for x, y in zip(a, b))  # type: ignore[return-value]


class Windows:
    """Where in a document the patterns of a token Matcher can match; see the module's docstring. Of a pattern's
    possible anchors, each document uses the one that leaves the fewest tokens to match on."""

    UNBOUNDED_WIDTH = 100  # how many tokens an unlimited reach is counted as when anchors are compared

    def __init__(self, vocab: Vocab) -> None:
        self.probe = Matcher(vocab)  # each anchor spec that is not a plain word test as a one-token pattern
        self.words: dict[str, dict[str, list[int]]] = {"ORTH": {}, "LOWER": {}}  # plain word tests: word -> keys
        self.tests: set[int] = set()  # the anchor keys tested, either way
        self.patterns: list[list[tuple[int, tuple[int | None, int | None]]]] = []  # per pattern: (anchor key, reach)
        self.whole = False  # a pattern without an anchor: the whole document is one stretch
        self.verdicts: dict[int, tuple[int, ...]] = {}  # word (orth id): the anchors it satisfies

    def add(self, pattern: list[dict[str, Any]]) -> None:
        """Take in one token pattern of the Matcher."""
        candidates = []
        for at in anchors(pattern):
            spec = {k: v for k, v in pattern[at].items() if k.upper() != "OP"}
            key = self.probe.vocab.strings.add(repr(sorted(spec.items(), key=lambda item: item[0])))
            if key not in self.tests:
                self.tests.add(key)
                self._add_test(key, spec)
                self.verdicts.clear()
            candidates.append((key, reach(pattern, at)))
        self.whole = self.whole or not candidates
        self.patterns.append(candidates)

    def _add_test(self, key: int, spec: dict[str, Any]) -> None:
        """Test words for an anchor spec: a plain word test ({"LOWER": "kronor"}, {"ORTH": {"IN": [...]}}) by the
        word's text, which is what spaCy compares; any other spec by the probe Matcher."""
        attr, value = next(iter(spec.items())) if len(spec) == 1 else ("", None)
        attr = "ORTH" if attr.upper() == "TEXT" else attr.upper()
        if isinstance(value, dict) and list(value) == ["IN"]:
            value = value["IN"]
        words = [value] if isinstance(value, str) else value if isinstance(value, list) else None
        if attr in self.words and words and all(isinstance(word, str) for word in words):
            for word in words:
                self.words[attr].setdefault(word, []).append(key)
        else:
            self.probe.add(key, [[spec]])

    def _verdict(self, token: Any) -> tuple[int, ...]:
        """The anchors a word satisfies, judged on a token of it."""
        found = self.words["ORTH"].get(token.text, []) + self.words["LOWER"].get(token.lower_, [])
        if len(self.probe):
            found += [key for key, _, _ in self.probe(token.doc[token.i:token.i + 1])]
        return tuple(found)

    def _width(self, side: int | None) -> int:
        return self.UNBOUNDED_WIDTH if side is UNBOUNDED else side

    def stretches(self, doc: Doc, bounds: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
        """(start, end) token ranges of `doc`, in order and not overlapping, that hold every match; with `bounds`
        (the sentences as (start, end), in order, covering the document) only every match inside one sentence."""
        if self.whole or not len(doc):
            return [(0, len(doc))] if len(doc) else []
        hits: dict[int, list[int]] = {}
        for i, orth in enumerate(doc.to_array(ORTH).tolist()):
            keys = self.verdicts.get(orth)
            if keys is None:
                keys = self.verdicts[orth] = self._verdict(doc[i])
            for key in keys:
                hits.setdefault(key, []).append(i)
        chosen: dict[int, tuple[int | None, int | None]] = {}
        for candidates in self.patterns:
            key, around = min(candidates, key=lambda c: len(hits.get(c[0], ())) * (
                1 + self._width(c[1][0]) + self._width(c[1][1])))
            if key in hits:  # else the pattern cannot match here
                chosen[key] = _wider(chosen.get(key, (0, 0)), around)
        starts = [start for start, _ in bounds] if bounds is not None else None
        found = []
        for key, (before, after) in chosen.items():
            for i in hits[key]:
                low, high = bounds[bisect.bisect_right(starts, i) - 1] if starts is not None else (0, len(doc))
                found.append((low if before is UNBOUNDED else max(low, i - before),
                              high if after is UNBOUNDED else min(high, i + 1 + after)))
        merged: list[tuple[int, int]] = []
        for start, end in sorted(found):
            if merged and start < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged


def windowed(matcher: Matcher, windows: Windows, doc: Doc,
             bounds: list[tuple[int, int]] | None = None) -> list[tuple[int, int, int]]:
    """The Matcher's matches (match id, start, end) in `doc`, found on the stretches only (see Windows.stretches);
    the same as matcher(doc), or with `bounds` the same as those of matcher(doc) inside one sentence."""
    if not len(matcher):
        return []
    return [(key, start + first, end + first) for first, last in windows.stretches(doc, bounds)
            for key, start, end in matcher(doc[first:last])]
