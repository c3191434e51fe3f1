"""A fetched or saved page's bytes to text: the one decoder of the crawl, the clean step, reextract and `extract`.

Order (WHATWG "encoding sniffing", as w3lib.encoding.html_to_unicode does it for Scrapy): the byte order mark,
the HTTP Content-Type charset, the page's <meta charset> / http-equiv, then strict UTF-8, else windows-1252 (the
WHATWG default for Swedish locales; w3lib also reads a declared ISO-8859-1 / latin-1 as windows-1252). No
statistical guess: charset_normalizer (Scrapy's own fallback) reads a Swedish windows-1252 page as a
Central-European code page (å as ĺ); windows-1252 is right for every Swedish public-sector page we have met.
"""
from __future__ import annotations

import codecs
import re

from w3lib.encoding import html_to_unicode

FALLBACK_ENCODING = "cp1252"
BINARY_SHARE = 0.1  # a text with more than this share of control / replacement characters is binary, not a page
BINARY_SAMPLE = 65_536  # characters looked at to judge that
# Unicode category Cc (U+0000-U+001F, U+007F-U+009F) less the whitespace controls \t \n \v \f \r, and U+FFFD:
# one regex scan, not a Python loop over up to BINARY_SAMPLE characters (a sixth of the cleaner's CPU time)
NOT_TEXT_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


class BinaryContent(ValueError):
    """The bytes decode to something that is not text (a binary file served or saved as a page)."""


def _utf8_or_fallback(body: bytes) -> str:
    """utf-8 when the whole body is valid UTF-8, else windows-1252 (w3lib's auto_detect_fun)."""
    try:
        codecs.decode(body, "utf-8", errors="strict")
    except UnicodeDecodeError:
        return FALLBACK_ENCODING
    return "utf-8"


def decode_page(body: bytes, content_type: str | None = None) -> str:
    """The page's text: `body` (raw bytes) decoded per `content_type` (the HTTP Content-Type header value, e.g.
    "text/html; charset=iso-8859-1", or None for a saved file), its BOM and its meta charset, else strict UTF-8,
    else windows-1252 (see the module doc), NUL characters dropped. BinaryContent (a ValueError) when more than
    BINARY_SHARE of the decoded text is control or U+FFFD replacement characters."""
    _, text = html_to_unicode(content_type, body, auto_detect_fun=_utf8_or_fallback)
    return check_text(text).replace("\x00", "")


def check_text(text: str) -> str:
    """`text` itself; BinaryContent when more than BINARY_SHARE of its first BINARY_SAMPLE characters are control
    characters (other than whitespace) or U+FFFD replacement characters."""
    sample = text[:BINARY_SAMPLE]
    bad = len(NOT_TEXT_RE.findall(sample))
    if sample and bad > BINARY_SHARE * len(sample):
        raise BinaryContent(f"binary content ({bad} of {len(sample)} characters are not text)")
    return text
