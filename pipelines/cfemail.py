"""E-mail addresses hidden by Cloudflare's e-mail obfuscation, decoded back into the HTML before it is cleaned.

Cloudflare replaces each address with `<a href="/cdn-cgi/l/email-protection#HEX">` and/or
`<span class="__cf_email__" data-cfemail="HEX">[email&#160;protected]</span>`, filled in by a script
in the browser. HEX is a key byte followed by the address's bytes XOR the key (UTF-8). Source:
Cloudflare's published decoder (cdn-cgi/scripts/.../email-decode.min.js).
"""
from __future__ import annotations

import html
import re

_HEX = r"((?:[0-9a-fA-F]{2}){2,})"
# An element carrying data-cfemail, up to its closing tag (the placeholder text is inside).
_PROTECTED_ELEMENT = re.compile(r"<(a|span)\b[^>]*\bdata-cfemail=[\"']?" + _HEX + r"[\"']?[^>]*>.*?</\1>",
                                re.IGNORECASE | re.DOTALL)
# A link to the protection page with the encoded address in its fragment.
_PROTECTED_HREF = re.compile(r"(?:https?://[^\"'#\s]*)?/cdn-cgi/l/email-protection#" + _HEX, re.IGNORECASE)


def decode_cfemail(encoded: str) -> str | None:
    """The address in a Cloudflare data-cfemail hex string ("543931...": key byte, then XORed bytes); None if malformed."""
    try:
        data = bytes.fromhex(encoded)
    except ValueError:
        return None
    if len(data) < 2:
        return None
    key = data[0]
    try:
        return bytes(byte ^ key for byte in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode_protected_emails(page: str) -> str:
    """The HTML with every Cloudflare-protected address written out (as HTML-escaped text and mailto: links)."""
    if "cfemail" not in page and "email-protection" not in page:
        return page

    def element(match: re.Match[str]) -> str:
        address = decode_cfemail(match.group(2))
        return html.escape(address) if address else match.group(0)

    def href(match: re.Match[str]) -> str:
        address = decode_cfemail(match.group(1))
        return "mailto:" + html.escape(address) if address else match.group(0)

    return _PROTECTED_HREF.sub(href, _PROTECTED_ELEMENT.sub(element, page))
