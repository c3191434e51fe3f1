"""The shipped Swedish NER model (PER, ORG, LOC, MISC), loaded once per process."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import spacy

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "ner_sv"


@cache
def load_ner() -> spacy.Language:
    """Load the shipped NER pipeline from `pipelines/models/ner_sv/` (cached)."""
    if not (MODEL_DIR / "meta.json").is_file():
        raise FileNotFoundError(f"No NER model at {MODEL_DIR}; run `kommunarkiv train-ner` to train it.")
    return spacy.load(MODEL_DIR)
