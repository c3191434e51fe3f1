"""Read the Swedish NER corpus (token-per-line, bare labels) into spaCy DocBin files."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

SENTENCES_PER_DOC = 10
DEV_EVERY = 10  # every 10th train doc is held out as the dev set for model selection
SOFT_HYPHEN = "\u00ad"
NO_SPACE_BEFORE = frozenset({".", ",", ":", ";", "!", "?", ")", "]", "}", "%", "...", "..", "....", "…"})
NO_SPACE_AFTER = frozenset({"(", "[", "{"})
QUOTES = frozenset({'"', "”", "“", "'", "’"})

Sentence = list[tuple[str, str]]


def read_sentences(path: Path) -> Iterator[Sentence]:
    """Yield sentences as (word, label) pairs; label "O" for `0` or a missing label."""
    sentence: Sentence = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            fields = line.split()
            if not fields:
                if sentence:
                    yield sentence
                sentence = []
                continue
            word = fields[0].replace(SOFT_HYPHEN, "")
            label = fields[1] if len(fields) > 1 and fields[1] != "0" else "O"
            if word:
                sentence.append((word, label))
    if sentence:
        yield sentence


def spaces_for(words: list[str]) -> list[bool]:
    """Guess whether each word is followed by a space, as in ordinary written Swedish."""
    spaces = [True] * len(words)
    quote_open = False
    for i, word in enumerate(words):
        if word in QUOTES:
            quote_open = not quote_open
            if quote_open:
                spaces[i] = False
            elif i > 0:
                spaces[i - 1] = False
        elif word in NO_SPACE_BEFORE and i > 0:
            spaces[i - 1] = False
        elif word in NO_SPACE_AFTER:
            spaces[i] = False
    return spaces


def iob_tags(labels: list[str]) -> list[str]:
    """Turn bare labels into IOB tags, treating a run of equal labels as one entity."""
    tags = []
    previous = "O"
    for label in labels:
        if label == "O":
            tags.append("O")
        else:
            tags.append(("I-" if label == previous else "B-") + label)
        previous = label
    return tags


def make_doc(vocab: Vocab, sentences: list[Sentence]) -> Doc:
    """Build one Doc (with sentence starts and entities) from consecutive sentences."""
    words: list[str] = []
    spaces: list[bool] = []
    tags: list[str] = []
    sent_starts: list[bool] = []
    for sentence in sentences:
        sentence_words = [word for word, _ in sentence]
        words += sentence_words
        spaces += spaces_for(sentence_words)
        tags += iob_tags([label for _, label in sentence])
        sent_starts += [True] + [False] * (len(sentence) - 1)
    spaces[-1] = False
    return Doc(vocab, words=words, spaces=spaces, ents=tags, sent_starts=sent_starts)


def make_docs(vocab: Vocab, sentences: Iterable[Sentence], per_doc: int = SENTENCES_PER_DOC) -> Iterator[Doc]:
    """Group sentences into Docs of `per_doc` sentences, so the model sees some context."""
    group: list[Sentence] = []
    for sentence in sentences:
        group.append(sentence)
        if len(group) == per_doc:
            yield make_doc(vocab, group)
            group = []
    if group:
        yield make_doc(vocab, group)


def write_docbins(corpus_dir: Path, work_dir: Path) -> dict[str, Path]:
    """Write train/dev/test `.spacy` files from `train_corpus.txt` and `test_corpus.txt`."""
    vocab = spacy.blank("sv").vocab
    work_dir.mkdir(parents=True, exist_ok=True)
    train_docs = list(make_docs(vocab, read_sentences(corpus_dir / "train_corpus.txt")))
    splits = {
        "train": [doc for i, doc in enumerate(train_docs) if i % DEV_EVERY != DEV_EVERY - 1],
        "dev": [doc for i, doc in enumerate(train_docs) if i % DEV_EVERY == DEV_EVERY - 1],
        "test": list(make_docs(vocab, read_sentences(corpus_dir / "test_corpus.txt"))),
    }
    paths = {}
    for name, docs in splits.items():
        paths[name] = work_dir / f"{name}.spacy"
        DocBin(docs=docs, store_user_data=False).to_disk(paths[name])
    return paths
