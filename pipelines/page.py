"""The cleaned page that every extraction step reads."""
from __future__ import annotations

from dataclasses import dataclass, field

HEADING_KINDS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


@dataclass(frozen=True)
class Block:
    """One block of main content: a heading, paragraph, list item or table cell row."""

    kind: str  # "h1".."h6", "p", "li", "dt", "dd", "tr"
    text: str

    @property
    def is_heading(self) -> bool:
        return self.kind in HEADING_KINDS


@dataclass
class CleanPage:
    """A page's main content as blocks, with what the page says about itself."""

    url: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    published: str | None = None  # the page's own dates, not the project's
    updated: str | None = None
    site_org: str | None = None  # the organisation that runs the site ("Gällivare kommun")
    lang: str | None = None
    visible_chars: int = 0  # length of all the page's visible text (0: not known), to judge a short main text

    @property
    def text(self) -> str:
        """Main text, one block a line."""
        return "\n".join(b.text for b in self.blocks)
