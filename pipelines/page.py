"""The cleaned page that every extraction step reads."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields

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
    cut_at: int | None = None  # the main text was cut at this many characters (pipelines.clean.MAX_TEXT_CHARS)

    @property
    def text(self) -> str:
        """Main text, one block a line."""
        return "\n".join(b.text for b in self.blocks)

    def to_json(self) -> str:
        """The page without its URL as compact JSON: {"title": ..., "blocks": [[kind, text], ...], "published": ...}
        (every field but url), what page_versions.clean_page keeps so the extraction stage need not clean again."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("url", "blocks")}
        data["blocks"] = [[block.kind, block.text] for block in self.blocks]
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, url: str, text: str) -> "CleanPage":
        """The page at `url` from to_json()'s output; fields it lacks take their defaults. ValueError (a
        json.JSONDecodeError) or TypeError for text that is not such JSON."""
        data = json.loads(text)
        known = {f.name for f in fields(cls)} - {"url", "blocks"}
        blocks = [Block(kind, block_text) for kind, block_text in data.get("blocks", [])]
        return cls(url=url, blocks=blocks, **{k: v for k, v in data.items() if k in known})
