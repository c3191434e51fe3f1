"""A token Matcher run only on the stretches of a document where its patterns can match.

spaCy's Matcher starts every pattern at every token and calls its REGEX, IN and FUZZY predicates on each token again in
every document. Every match of a pattern holds a token that satisfies one of its mandatory token specs (the anchor),
and lies within as many tokens before and after that token as the specs around the anchor can take. So the Matcher
run on those stretches only finds exactly what it finds on the whole document. Which anchors a word satisfies is
found once per word (spaCy's own Matcher decides, on the token itself) and kept for the next documents.
"""
from __future__ import annotations

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


def _words(spec: dict[str, Any]) -> int:
    """How specific a token spec is, as the length of the shortest word it can be (short words are common ones);
    0 when it names no word (a shape or a flag such as IS_TITLE)."""
    lengths = []
    for attr, value in spec.items():
        if attr.upper() not in WORD_ATTRS:
            continue
        if isinstance(value, str):
            lengths.append(len(value))
        elif isinstance(value, dict):
            if value.get("IN"):
                lengths.append(min(len(v) for v in value["IN"]))
            lengths += [len(v) for k, v in value.items() if k.startswith("FUZZY") and isinstance(v, str)]
            lengths += [len(v) // 2 for k, v in value.items() if k == "REGEX"]  # a rough guess
    return max(lengths, default=0)


def anchor(pattern: list[dict[str, Any]]) -> int | None:
    """The index of the token spec a match of `pattern` always holds that is least likely to match a word (see
    _words); None when no mandatory spec tests the word alone (the pattern then runs on the whole document)."""
    best, best_score = None, -1
    for index, spec in enumerate(pattern):
        op = spec.get("OP")
        tests = {k.upper() for k in spec if k.upper() != "OP"}
        if op == "!" or repeats(op)[0] < 1 or not tests or not tests <= LEXICAL:
            continue
        score = _words(spec)
        if score > best_score:
            best, best_score = index, score
    return best


def _reach(pattern: list[dict[str, Any]], at: int) -> tuple[int | None, int | None]:
    """How many tokens a match may take before and after the anchor at index `at` (None: no limit)."""
    def total(specs: list[dict[str, Any]]) -> int | None:
        most = [repeats(spec.get("OP"))[1] for spec in specs]
        return UNBOUNDED if UNBOUNDED in most else sum(most)
    return total(pattern[:at]), total(pattern[at + 1:])


class Windows:
    """Where in a document the patterns of a token Matcher can match; see the module's docstring."""

    def __init__(self, vocab: Vocab) -> None:
        self.probe = Matcher(vocab)  # each anchor spec as a one-token pattern
        self.reach: dict[int, tuple[int | None, int | None]] = {}  # anchor key: the widest reach around it
        self.whole = False  # a pattern without an anchor: the whole document is one stretch
        self.verdicts: dict[int, tuple[int, ...]] = {}  # word (orth id): the anchors it satisfies

    def add(self, pattern: list[dict[str, Any]]) -> None:
        """Take in one token pattern of the Matcher."""
        at = anchor(pattern)
        if at is None:
            self.whole = True
            return
        spec = {k: v for k, v in pattern[at].items() if k.upper() != "OP"}
        key = self.probe.vocab.strings.add(repr(sorted(spec.items(), key=lambda item: item[0])))
        if key not in self.probe:
            self.probe.add(key, [[spec]])
            self.verdicts.clear()
        before, after = _reach(pattern, at)
        old_before, old_after = self.reach.get(key, (0, 0))
        self.reach[key] = (UNBOUNDED if UNBOUNDED in (before, old_before) else max(before, old_before),
                           UNBOUNDED if UNBOUNDED in (after, old_after) else max(after, old_after))

    def stretches(self, doc: Doc, bounds: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
        """(start, end) token ranges of `doc`, in order and not overlapping, that hold every match; with `bounds`
        (the sentences as (start, end), in order, covering the document) only every match inside one sentence."""
        if self.whole:
            return [(0, len(doc))] if len(doc) else []
        found = []
        sentence = 0
        for i, orth in enumerate(doc.to_array(ORTH).tolist() if len(doc) else []):
            keys = self.verdicts.get(orth)
            if keys is None:
                keys = self.verdicts[orth] = tuple(key for key, _, _ in self.probe(doc[i:i + 1]))
            if not keys:
                continue
            low, high = 0, len(doc)
            if bounds is not None:
                while bounds[sentence][1] <= i:
                    sentence += 1
                low, high = bounds[sentence]
            for key in keys:
                before, after = self.reach[key]
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
