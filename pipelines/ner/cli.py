"""The `train-ner` command: retrain the shipped Swedish NER model and print its test scores."""
from __future__ import annotations

from pathlib import Path

import click

from pipelines.ner import MODEL_DIR

DEFAULT_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "ner"


@click.command("train-ner")
@click.option(
    "--corpus",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DEFAULT_CORPUS,
    show_default=True,
    envvar="KOMMUNARKIV_NER_CORPUS",
    help="Folder with train_corpus.txt and test_corpus.txt (env: KOMMUNARKIV_NER_CORPUS).",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=MODEL_DIR,
    show_default=True,
    help="Where the trained pipeline, meta.json and scores.json go (replaced if present).",
)
@click.option("--max-steps", type=click.IntRange(min=1), default=None, help="Override training.max_steps in config.cfg.")
def train_ner_command(corpus: Path, output: Path, max_steps: int | None) -> None:
    """Train the Swedish NER model (PER/ORG/LOC/MISC) and print per-type test scores.

    Example:

    \b
        kommunarkiv train-ner
        kommunarkiv train-ner --corpus ../shared/data/ner --output /tmp/ner_sv --max-steps 500
    """
    from pipelines.ner.train import train_ner

    scores = train_ner(corpus, output, max_steps=max_steps)
    click.echo(f"\n{'type':<8}{'P':>7}{'R':>7}{'F':>7}")
    rows = {**scores["per_type"], "ALL": scores["overall"]}
    for label, s in rows.items():
        click.echo(f"{label:<8}{s['p']:>7.3f}{s['r']:>7.3f}{s['f']:>7.3f}")
    click.echo(
        f"\n{scores['test_words']} test words, {scores['words_per_second']:.0f} words/s, "
        f"trained in {scores['training_minutes']:.1f} min; model in {output}"
    )
