"""The shipped Swedish NER model, its recorded scores, and the corpus reader."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from pipelines.ner import MODEL_DIR, load_ner
from pipelines.ner.corpus import make_docs, read_sentences

# The test split has 1,080 PER tokens (612 entities); a from-scratch CNN without vectors lands
# around 0.85 PER F there. 0.80 is the brief's target: a retrain that falls below it is a regression.
MIN_PER_F = 0.80
MIN_ORG_F = 0.45

TINY_CORPUS = (
    "Anna\tPER\nLindqvist PER\nleder\t0\nprojektet 0\ni\t0\nUmeå LOC\n.\t0\n\n"
    "Det\t0\nbn\n”\t0\nfinansieras 0\n”\t0\nav\t0\nVinnova ORG\n,\t0\nsäger\t0\nhon 0\n.\t0\n\n"
)


def ents(text: str) -> set[tuple[str, str]]:
    """The (text, label) entities the shipped model finds in `text`."""
    return {(e.text, e.label_) for e in load_ner()(text).ents}


def test_tags_contact_person() -> None:
    assert ("Anna Lindqvist", "PER") in ents("Kontaktperson: Anna Lindqvist, projektledare")


def test_tags_people_in_municipal_sentences() -> None:
    found = ents("Har du frågor om projektet kan du kontakta Erik Johansson på kommunens näringslivskontor.")
    assert ("Erik Johansson", "PER") in found
    found = ents("Projektledare är Maria Svensson och styrgruppen leds av kommunalrådet Lars Nilsson.")
    assert {("Maria Svensson", "PER"), ("Lars Nilsson", "PER")} <= found


def test_tags_organisations() -> None:
    found = ents("Projektet drivs av Sundsvalls kommun tillsammans med Mittuniversitetet.")
    assert ("Mittuniversitetet", "ORG") in found
    # The corpus labels "<place> kommun" as LOC or ORG; either way it must be one entity.
    assert {("Sundsvalls kommun", "LOC"), ("Sundsvalls kommun", "ORG")} & found


def test_model_meta_and_size() -> None:
    meta = json.loads((MODEL_DIR / "meta.json").read_text(encoding="utf-8"))
    assert meta["name"] == "kommunarkiv_ner_sv"
    assert meta["license"] == "CC BY 4.0"
    assert "Andreas Klintberg" in meta["description"]
    size = sum(p.stat().st_size for p in MODEL_DIR.rglob("*") if p.is_file())
    assert size <= 25 * 1024 * 1024


def test_recorded_test_scores() -> None:
    scores = json.loads((MODEL_DIR / "scores.json").read_text(encoding="utf-8"))
    assert set(scores["per_type"]) == {"PER", "ORG", "LOC", "MISC"}
    assert scores["per_type"]["PER"]["f"] >= MIN_PER_F
    assert scores["per_type"]["ORG"]["f"] >= MIN_ORG_F


def test_reads_mixed_separators_and_unlabelled_token(tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text(TINY_CORPUS, encoding="utf-8")
    sentences = list(read_sentences(path))
    assert len(sentences) == 2
    assert sentences[1][1] == ("bn", "O")
    (doc,) = make_docs(spacy.blank("sv").vocab, sentences)
    assert doc.text == "Anna Lindqvist leder projektet i Umeå. Det bn ”finansieras” av Vinnova, säger hon."
    assert [(e.text, e.label_) for e in doc.ents] == [("Anna Lindqvist", "PER"), ("Umeå", "LOC"), ("Vinnova", "ORG")]
    assert [s.text for s in doc.sents][1].startswith("Det bn")


def test_adjacent_equal_labels_form_one_entity(tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text("Region\tORG\nVästerbotten ORG\noch\t0\nLuleå\tLOC\ntekniska LOC\nuniversitet ORG\n", encoding="utf-8")
    (doc,) = make_docs(spacy.blank("sv").vocab, read_sentences(path))
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Region Västerbotten", "ORG"),
        ("Luleå tekniska", "LOC"),
        ("universitet", "ORG"),
    ]


@pytest.mark.timeout(60)
def test_train_ner_smoke(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("train_corpus.txt", "test_corpus.txt"):
        (corpus / name).write_text(TINY_CORPUS * 60, encoding="utf-8")
    from pipelines.ner.train import train_ner

    scores = train_ner(corpus, tmp_path / "model", max_steps=3)
    assert set(scores["per_type"]) == {"PER", "ORG", "LOC", "MISC"}
    assert json.loads((tmp_path / "model" / "scores.json").read_text(encoding="utf-8")) == scores
    assert spacy.load(tmp_path / "model").pipe_names == ["tok2vec", "ner"]
