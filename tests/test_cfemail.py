"""Cloudflare-protected e-mail addresses (data-cfemail) decoded before the page is cleaned."""
from __future__ import annotations

from pipelines.cfemail import decode_cfemail, decode_protected_emails


def cf_encode(address: str, key: int = 0x5A) -> str:
    """What Cloudflare writes into data-cfemail: the key byte, then each byte XOR the key, in hex."""
    return bytes([key, *(byte ^ key for byte in address.encode("utf-8"))]).hex()


def test_decodes_the_hex_form():
    assert decode_cfemail(cf_encode("test.person@example.se")) == "test.person@example.se"
    assert decode_cfemail(cf_encode("åsa.öberg@exempel.se", key=0x13)) == "åsa.öberg@exempel.se"


def test_malformed_hex_is_left_alone():
    assert decode_cfemail("zz") is None and decode_cfemail("5a") is None
    html = '<span class="__cf_email__" data-cfemail="zz11">[email&#160;protected]</span>'
    assert decode_protected_emails(html) == html


def test_span_and_link_forms_are_written_out():
    code = cf_encode("kontakt@exempel.se")
    html = (f'<p>Mejla <a href="/cdn-cgi/l/email-protection" class="__cf_email__" data-cfemail="{code}">'
            f'[email&#160;protected]</a> eller <a href="/cdn-cgi/l/email-protection#{code}">oss</a>.</p>')
    out = decode_protected_emails(html)
    assert out.count("kontakt@exempel.se") == 2
    assert "[email" not in out and 'href="mailto:kontakt@exempel.se"' in out


def test_pages_without_protection_are_returned_as_they_are():
    html = "<p>Ingen e-post här.</p>"
    assert decode_protected_emails(html) is html
