"""Find e-mail addresses and Swedish phone numbers in text, also when disguised or run together."""
from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

from pipelines.extract.knowledge import load
from pipelines.extract.regexes import alt

_DATA = load("contact_details")
_REGION: str = _DATA["phone_region"]
_PHONE_STARTS = tuple(_DATA["phone_starts"])



_OPEN, _CLOSE = r"[(\[{<]", r"[)\]}>]"
_BRACKET_AT = rf"\s*{_OPEN}\s*(?:{alt(_DATA['at_words'])})\s*{_CLOSE}\s*"
_PLAIN_AT = rf"\s+(?:{alt(_DATA['plain_at_words'])})\s+"
_BRACKET_DOT = rf"\s*{_OPEN}\s*(?:{alt(_DATA['dot_words'])})\s*{_CLOSE}\s*"
_PLAIN_DOT = rf"\s+(?:{alt(_DATA['dot_words'])})\s+"
_LABEL = r"[\w%+'-]+"
_DOT = rf"(?:\.|{_BRACKET_DOT}|{_PLAIN_DOT})"
_EMAIL_RE = re.compile(
    rf"(?<![\w.%+'-])(?P<local>{_LABEL}(?:{_DOT}{_LABEL})*)"
    rf"(?P<at>\s*@\s*|{_BRACKET_AT}|{_PLAIN_AT})"
    rf"(?P<domain>[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[a-z]{{2,12}})(?![\w-]|\.\w)",
    re.I,
)
_DOT_SPLIT_RE = re.compile(_DOT, re.I)
_PLAIN_RE = re.compile(rf"{_PLAIN_AT}|{_PLAIN_DOT}", re.I)
_PLACEHOLDER_LOCALS = frozenset(_DATA["placeholder_locals"])
_PLACEHOLDER_DOMAINS = frozenset(_DATA["placeholder_domains"])
_FILE_EXTENSIONS = frozenset(_DATA["file_extensions"])
_NAME_LIKE_LOCAL_RE = re.compile(r"\w[._-]\w")
# a run of digits and separators, as long as one or two numbers written one after another
_PHONE_RUN_RE = re.compile(r"(?<![\w+])(?:\+|\(?0)\d[\d \t\u00a0()\-–./]{5,40}\d")


def _address(m: re.Match[str]) -> str | None:
    """The normalised address of an e-mail match (domain lower-cased), or None if it is not a real address."""
    local = ".".join(_DOT_SPLIT_RE.split(m.group("local")))
    domain = ".".join(_DOT_SPLIT_RE.split(m.group("domain"))).lower()
    tld = domain.rsplit(".", 1)[-1]
    if tld in _FILE_EXTENSIONS or not tld.isalpha():
        return None
    if local.lower() in _PLACEHOLDER_LOCALS or domain in _PLACEHOLDER_DOMAINS:
        return None
    if len(local) > 64 or any(not part or part[0] == "-" or part[-1] == "-" for part in domain.split(".")):
        return None
    if _PLAIN_RE.search(m.group(0)) and (not _NAME_LIKE_LOCAL_RE.search(local) or domain.startswith("www.")):
        return None  # "read more at www.kiruna.se" is English, not an address
    return f"{local}@{domain}"


def find_emails(text: str) -> list[tuple[str, str]]:
    """E-mail addresses as (normalised address, text as written), first occurrence of each, in order."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for m in _EMAIL_RE.finditer(text):
        address = _address(m)
        if address and address.lower() not in seen:
            seen.add(address.lower())
            out.append((address, m.group(0).strip()))
    return out


def _valid(raw: str) -> str | None:
    """E.164 form of a valid Swedish-context number written with a trunk or international prefix."""
    if not raw.lstrip().startswith(_PHONE_STARTS):
        return None
    try:
        number = phonenumbers.parse(raw, _REGION)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164) if phonenumbers.is_valid_number(number) else None


def _split_run(run: str) -> list[tuple[int, int]]:
    """Spans of the numbers in a run of several numbers written one after another ('0970-55 01 23 070-123 45 67')."""
    cuts = [i for i in range(1, len(run)) if run[i - 1].isspace() and run[i] in "0+("] + [len(run)]
    spans, begin = [], 0
    while begin < len(run):
        later = [c for c in cuts if c > begin]
        pieces = (c for c in reversed(later) if 7 <= sum(ch.isdigit() for ch in run[begin:c]) <= 15)
        end = next((c for c in pieces if _valid(run[begin:c].strip())), None)
        if end is None:
            begin = later[0]
            continue
        spans.append((begin, end))
        begin = end
    return spans


def _numbers_in(chunk: str) -> list[tuple[int, int]]:
    """Spans of the phone numbers in a run: split where a new number starts, else as the matcher finds them."""
    return _split_run(chunk) or [(m.start, m.end) for m in PhoneNumberMatcher(chunk, _REGION, leniency=Leniency.VALID)]


def find_phones(text: str) -> list[tuple[str, str]]:
    """Phone numbers as (E.164, text as written), first occurrence of each, in order."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    pos = 0
    while run := _PHONE_RUN_RE.search(text, pos):
        spans = _numbers_in(run.group(0))
        for s, e in spans:
            raw = run.group(0)[s:e].strip()
            e164 = _valid(raw)
            if e164 and e164 not in seen:
                seen.add(e164)
                out.append((e164, raw))
        pos = run.start() + spans[-1][1] if spans else run.end()
    return out
