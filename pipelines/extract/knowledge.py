"""The extractor's Swedish vocabulary: JSON files in pipelines/extract/data, each read once per process."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).with_name("data")


@cache
def load(name: str) -> Any:
    """The parsed contents of data/<name>.json."""
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))
