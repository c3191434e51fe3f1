"""Build the extraction pipeline from pipeline.cfg once per process."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import spacy
from spacy.language import Language

import pipelines.extract.components  # noqa: F401  (registers the components and the pattern reader)
from pipelines.ner import MODEL_DIR

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "pipeline.cfg"
PATHS = {
    "paths.patterns": str(HERE.parent / "patterns"),
    "paths.role_cues": str(HERE / "data" / "role_cues.json"),
    "paths.link_data": str(HERE / "data" / "org_linking.json"),
}


def has_model(model_dir: Path) -> bool:
    """Whether a trained spaCy pipeline is saved in model_dir."""
    return (model_dir / "meta.json").is_file()


def build_nlp(ner_model: Path | None) -> Language:
    """The extraction pipeline, sourcing `ner` from a trained model, or without NER when ner_model is None."""
    config = spacy.util.load_config(CONFIG, overrides={**PATHS, "paths.ner_model": str(ner_model)}, interpolate=False)
    if ner_model is None:
        config["nlp"]["pipeline"] = [name for name in config["nlp"]["pipeline"] if name != "ner"]
        del config["components"]["ner"]
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    with nlp.select_pipes(disable=[name for name in ("ner",) if name in nlp.pipe_names]):
        nlp.initialize()  # loads the pattern files; the sourced, trained NER keeps its weights
    return nlp


@cache
def load_nlp() -> Language:
    """The extraction pipeline (cached); the shipped NER joins it once pipelines/models/ner_sv/ is trained."""
    return build_nlp(MODEL_DIR if has_model(MODEL_DIR) else None)
