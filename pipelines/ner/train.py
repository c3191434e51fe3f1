"""Train, evaluate and ship the Swedish NER model with spaCy's own training loop."""
from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import spacy
from spacy.cli.train import train
from spacy.tokens import DocBin
from spacy.training import Example

from pipelines.ner import MODEL_DIR
from pipelines.ner.corpus import write_docbins

CONFIG_PATH = Path(__file__).with_name("config.cfg")
ENTITY_TYPES = ("PER", "ORG", "LOC", "MISC")
MODEL_META = {
    "name": "kommunarkiv_ner_sv",
    "version": "0.1.0",
    "description": (
        "Swedish named-entity recogniser (PER, ORG, LOC, MISC) for kommunarkiv, a CNN tok2vec + "
        "transition-based NER trained from scratch without vectors. Trained on the Swedish NER "
        "corpus by Andreas Klintberg (github.com/klintan/swedish-ner-corpus), CC BY 4.0; "
        "text from Språkbanken Webbnyheter 2012."
    ),
    "license": "CC BY 4.0",
    "sources": [
        {
            "name": "Swedish manually annotated NER corpus",
            "url": "https://github.com/klintan/swedish-ner-corpus",
            "license": "CC BY 4.0",
            "author": "Andreas Klintberg; text from Språkbanken Webbnyheter 2012",
        }
    ],
}


def evaluate(nlp: spacy.Language, test_path: Path) -> dict[str, Any]:
    """Score `nlp` on a `.spacy` file: overall and per-type P/R/F plus words per second."""
    gold = list(DocBin().from_disk(test_path).get_docs(nlp.vocab))
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in gold]
    scores = nlp.evaluate(examples)
    per_type = scores["ents_per_type"] or {}
    return {
        "overall": {"p": scores["ents_p"], "r": scores["ents_r"], "f": scores["ents_f"]},
        "per_type": {label: per_type.get(label, {"p": 0.0, "r": 0.0, "f": 0.0}) for label in ENTITY_TYPES},
        "words_per_second": scores["speed"],
        "test_docs": len(gold),
        "test_words": sum(len(doc) for doc in gold),
    }


def train_ner(corpus_dir: Path, output_dir: Path = MODEL_DIR, max_steps: int | None = None) -> dict[str, Any]:
    """Convert the corpus, train with config.cfg, score on the test split and ship model-best to `output_dir`."""
    with tempfile.TemporaryDirectory(prefix="kommunarkiv-ner-") as work:
        paths = write_docbins(corpus_dir, Path(work) / "corpus")
        overrides: dict[str, Any] = {"paths.train": str(paths["train"]), "paths.dev": str(paths["dev"])}
        if max_steps is not None:
            overrides["training.max_steps"] = max_steps
        started = time.monotonic()
        train(CONFIG_PATH, Path(work) / "training", overrides=overrides)
        minutes = (time.monotonic() - started) / 60
        best = Path(work) / "training" / "model-best"
        if output_dir.exists():
            shutil.rmtree(output_dir)
        shutil.copytree(best, output_dir)
        nlp = spacy.load(output_dir)
        scores = evaluate(nlp, paths["test"])
    scores["training_minutes"] = round(minutes, 2)
    scores["max_steps"] = max_steps if max_steps is not None else nlp.config["training"]["max_steps"]
    meta = json.loads((output_dir / "meta.json").read_text(encoding="utf-8"))
    meta.update(MODEL_META)
    meta["test_scores"] = scores
    (output_dir / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (output_dir / "scores.json").write_text(json.dumps(scores, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return scores
