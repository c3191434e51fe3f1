"""What the spider hands to the pipelines: one fetched page."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pipelines.page import CleanPage

PageState = Literal["fetched", "unchanged", "skipped"]


@dataclass
class PageItem:
    """A fetched page, filled in stage by stage: cleaned, then extracted, then stored.

    `state` is "fetched" for a new or changed response, "unchanged" for a 304 or a body identical to the
    stored one (nothing to re-read), "skipped" for a response that is not HTML. `links` are the
    (url, priority, depth) requests the spider queued from the page, checkpointed with it for --resume.
    `found_links` are the (url, priority) links read from this response's body, before the same-site and
    frontier filters, stored with the page's version so that a re-crawl finding it unchanged follows them
    without parsing it again; None when the body's links were not read (past the depth limit, or taken
    from the archive).
    """

    url: str
    site_id: str
    http_status: int
    content_type: str
    html: str = field(repr=False)
    state: PageState = "fetched"
    body: bytes | None = field(default=None, repr=False)
    etag: str | None = None
    last_modified: str | None = None
    links: list[tuple[str, int, int]] = field(default_factory=list, repr=False)
    found_links: list[tuple[str, int]] | None = field(default=None, repr=False)
    page: CleanPage | None = field(default=None, repr=False)
    record: dict[str, Any] = field(default_factory=dict, repr=False)
