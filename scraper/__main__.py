"""`python -m scraper` runs the kommunarkiv CLI."""
from scraper.cli import cli

cli()
