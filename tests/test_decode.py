"""One decoder for every reader of a page's bytes: header, BOM, meta charset, strict UTF-8, else windows-1252."""
from __future__ import annotations

import unicodedata

import pytest

from pipelines.decode import NOT_TEXT_RE, BinaryContent, check_text, decode_page

PAGE = "<html><head><title>Åkrar och ängar</title></head><body><p>Övertorneå växer.</p></body></html>"


def test_a_page_without_any_charset_is_utf8_when_valid_else_windows_1252() -> None:
    assert decode_page(PAGE.encode("utf-8"), "text/html") == PAGE
    assert decode_page(PAGE.encode("cp1252"), "text/html") == PAGE
    assert decode_page(PAGE.encode("cp1252")) == PAGE  # a saved file: no header at all


def test_header_bom_and_meta_charset_are_obeyed() -> None:
    assert decode_page(PAGE.encode("iso-8859-1"), "text/html; charset=ISO-8859-1") == PAGE
    assert decode_page(PAGE.encode("utf-16"), "text/html") == PAGE  # BOM
    with_meta = PAGE.replace("<head>", '<head><meta charset="windows-1252">')
    assert decode_page(with_meta.encode("cp1252")) == with_meta
    http_equiv = PAGE.replace("<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">')
    assert decode_page(http_equiv.encode("latin-1")) == http_equiv


def test_a_stray_nul_is_dropped_but_random_bytes_are_binary() -> None:
    assert decode_page(PAGE.replace("<body>", "<body>\x00").encode("utf-8")) == PAGE
    with pytest.raises(BinaryContent, match="binary content"):
        decode_page(bytes(range(256)) * 16, "text/html")
    with pytest.raises(BinaryContent):
        check_text("\ufffd\x01" * 50 + "text")


def test_not_text_characters_are_the_control_category_less_whitespace_and_the_replacement_character() -> None:
    """The regex that judges binary bodies matches exactly Unicode's Cc less \\t \\n \\v \\f \\r, and U+FFFD."""
    wanted = {c for c in map(chr, range(0x110000))
              if c == "\ufffd" or unicodedata.category(c) == "Cc" and c not in "\t\n\v\f\r"}
    found = {c for c in map(chr, range(0x110000)) if NOT_TEXT_RE.fullmatch(c)}
    assert found == wanted
