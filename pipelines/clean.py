"""Main-content extraction: a page's HTML (or plain text) to a CleanPage of blocks."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from bs4 import BeautifulSoup, NavigableString, Tag
from w3lib.encoding import html_to_unicode

from pipelines.page import Block, CleanPage

MAX_HTML_CHARS = 3_000_000  # a page beyond this is cut: no municipal page needs more
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
LEAF_KINDS = HEADINGS | {"p", "li", "dt", "dd", "td", "th", "caption", "figcaption", "blockquote", "pre", "address"}
INLINE = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q", "s",
          "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "font", "label", "wbr", "img"}
SPACE_RE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
TITLE_SPLIT_RE = re.compile(r"\s+[-|–—]\s+")
BULLET_RE = re.compile(r"^\s*[•·▪‣◦*-]\s+")


@lru_cache(maxsize=1)
def _noise() -> dict:
    """The boilerplate rules (tags, roles, class words) from pipelines/data/boilerplate.json."""
    data = json.loads(resources.files("pipelines").joinpath("data/boilerplate.json").read_text("utf-8"))
    data["class_re"] = re.compile(r"(?:^|[-_ ])(?:" + "|".join(data["class_words"]) + r")(?:$|[-_ ])", re.I)
    return data


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode HTML bytes using the HTTP header, the BOM or the meta charset (w3lib), falling back to UTF-8."""
    _, text = html_to_unicode(content_type, body)
    return text


def _is_noise(tag: Tag) -> bool:
    """Whether an element is page furniture rather than content."""
    noise = _noise()
    if tag.name in noise["tags"]:
        return True
    attrs = tag.attrs or {}
    if attrs.get("role") in noise["roles"] or attrs.get("aria-hidden") == "true" or "hidden" in attrs:
        return True
    names = " ".join(attrs.get("class") or []) + " " + str(attrs.get("id") or "")
    return bool(names.strip()) and bool(noise["class_re"].search(names))


def _main_root(soup: BeautifulSoup) -> Tag:
    """The element holding the main content: <main>, role=main, a lone <article>, #content, or <body>."""
    for selector in _noise()["main_selectors"]:
        found = soup.select(selector)
        if len(found) == 1 and found[0].get_text(strip=True):
            return found[0]
    return soup.body or soup


def _strip_noise(root: Tag) -> None:
    """Remove furniture elements below root, in place."""
    for tag in list(root.find_all(True)):
        if tag.decomposed or tag is root:
            continue
        if _is_noise(tag):
            tag.decompose()


def _blocks(root: Tag) -> list[Block]:
    """Walk the tree, emitting one block per leaf block element or line broken by <br>."""
    out: list[Block] = []

    def emit(parts: list[str], kind: str) -> None:
        text = SPACE_RE.sub(" ", "".join(parts)).strip()
        if text:
            out.append(Block(kind, text))
        parts.clear()

    def walk(el: Tag, kind: str) -> None:
        parts: list[str] = []
        for child in el.children:
            if isinstance(child, NavigableString):
                if child.__class__.__name__ in ("Comment", "Doctype", "ProcessingInstruction", "Declaration"):
                    continue
                parts.append(str(child).replace("\n", " "))
            elif not isinstance(child, Tag):
                continue
            elif child.name == "br":
                emit(parts, kind)
            elif child.name in INLINE and not child.find(["p", "div", "ul", "ol", "li", "br", "table"] + list(HEADINGS)):
                parts.append(child.get_text(" ") if child.name != "img" else "")
            else:
                emit(parts, kind)
                child_kind = child.name if child.name in LEAF_KINDS else kind
                if child.name == "tr":
                    cells = [SPACE_RE.sub(" ", c.get_text(" ")).strip() for c in child.find_all(["td", "th"])]
                    emit([" | ".join(c for c in cells if c)], "tr")
                else:
                    walk(child, child_kind)
        emit(parts, kind)

    walk(root, "p")
    return out


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    """The first non-empty <meta> content among property/name values."""
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if tag and tag.get("content", "").strip():
            return tag["content"].strip()
    return None


def _canonical_url(soup: BeautifulSoup) -> str | None:
    """The page's own address from <link rel="canonical"> or og:url, for saved pages with no URL."""
    link = soup.find("link", rel="canonical", href=True)
    return (link["href"].strip() if link else None) or _meta(soup, "og:url")


def _title_parts(soup: BeautifulSoup) -> tuple[str | None, str | None]:
    """Split <title> into (page title, site name) on its " - " / " | " separator."""
    if not soup.title or not soup.title.string:
        return None, None
    parts = TITLE_SPLIT_RE.split(SPACE_RE.sub(" ", soup.title.string).strip())
    if len(parts) >= 2:
        return " - ".join(parts[:-1]), parts[-1]
    return parts[0], None


def clean_html(html: str | bytes, url: str, content_type: str | None = None) -> CleanPage:
    """Turn a page's HTML into its main-content blocks, title, site organisation and meta dates."""
    if isinstance(html, bytes):
        html = decode_html(html, content_type)
    soup = BeautifulSoup(html[:MAX_HTML_CHARS], "lxml")
    title_text, site_name = _title_parts(soup)
    root = _main_root(soup)
    _strip_noise(root)
    blocks = _blocks(root)
    h1 = next((b.text for b in blocks if b.kind == "h1"), None)
    lang = (soup.html.get("lang") if soup.html else None) or None
    return CleanPage(
        url=url or _canonical_url(soup) or "",
        title=h1 or _meta(soup, "og:title") or title_text or "",
        blocks=blocks,
        published=_meta(soup, "article:published_time", "DC.date.created", "dcterms.created"),
        updated=_meta(soup, "article:modified_time", "DC.date.modified", "dcterms.modified", "last-modified"),
        site_org=_meta(soup, "og:site_name") or site_name,
        lang=lang.split("-")[0].lower() if lang else None,
    )


def clean_text(text: str, url: str = "") -> CleanPage:
    """Turn plain main text into blocks: short unpunctuated lines become headings, bullets list items."""
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = SPACE_RE.sub(" ", raw).strip()
        if not line:
            continue
        if BULLET_RE.match(line):
            blocks.append(Block("li", BULLET_RE.sub("", line)))
        elif not blocks:
            blocks.append(Block("h1", line))
        elif len(line) < 60 and not line.endswith((".", ":", "!", "?", ",", ";")):
            blocks.append(Block("h2", line))
        else:
            blocks.append(Block("p", line))
    title = blocks[0].text if blocks else ""
    return CleanPage(url=url, title=title, blocks=blocks)
