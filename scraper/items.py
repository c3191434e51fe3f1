"""What the spider hands to the pipelines: one fetched page."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipelines.page import CleanPage


@dataclass
class PageItem:
    """A fetched HTML page, filled in stage by stage: cleaned, then extracted, then stored."""

    url: str
    site_id: str
    http_status: int
    content_type: str
    html: str
    page: CleanPage | None = None
    record: dict[str, Any] = field(default_factory=dict)
