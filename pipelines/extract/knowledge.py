"""The extractor's Swedish vocabulary: JSON files in pipelines/extract/data, each read once per process."""
from __future__ import annotations

import gettext
import json
from functools import cache
from pathlib import Path
from typing import Any

import pycountry

DATA_DIR = Path(__file__).with_name("data")


@cache
def load(name: str) -> Any:
    """The parsed contents of data/<name>.json."""
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))


@cache
def countries() -> frozenset[str]:
    """Every country's name in Swedish and English, lower-cased ('sydafrika', 'south africa'), from pycountry's ISO 3166
    list and its Swedish translation: a country is an area, never an organisation."""
    swedish = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["sv"], fallback=True)
    names = {getattr(c, key) for c in pycountry.countries for key in ("name", "common_name") if hasattr(c, key)}
    return frozenset(n.lower() for name in names for n in (name, swedish.gettext(name)))
