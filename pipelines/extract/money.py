"""Find amounts of money and shares in Swedish sentences, and a project's own budget."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from pipelines.extract.knowledge import load
from pipelines.extract.regexes import alt, whole

_DATA = load("money")
_NUMBERS: dict[str, int] = load("number_words")["cardinals"]
_CUES: dict[str, list[str]] = _DATA["cues"]
_CURRENCIES: dict[str, str] = _DATA["currencies"]
_MULTIPLIERS: dict[str, int] = _DATA["multipliers"]
_COMPACT: dict[str, list] = _DATA["compact_units"]
_WINDOWS: dict[str, int] = _DATA["windows"]
_NOT_MONEY_AFTER = re.compile(rf"\s*(?:{alt(_DATA['not_money_after'])})(?!\w)", re.I)

# Kinds: "budget" the project's budget, "grant" money it gets, "share" a percentage, "pool" money many
# share or that is still to be applied for, "part" a part of an amount given before ("varav ..."),
# "rate" money per person or period, "other" anything else.
PROJECT_KINDS = ("budget", "grant")
_KIND_SCORE = {"budget": 3, "grant": 2, "contribution": 1, "weak_grant": 1}
_FOREIGN_PENALTY = 2  # a budget on the Norwegian or Danish side yields to one on the Swedish side
_LOOKAROUND = 300  # characters around an amount that its cue words are looked for in


@dataclass(frozen=True)
class Amount:
    """An amount as a whole number (kronor, or euro or percent as its currency says) and how it is used."""

    sek: int
    text: str
    evidence: str
    kind: str
    currency: str = "SEK"  # "SEK", "EUR", "NOK", "DKK" or "%"; only SEK amounts can be a budget


def _anywhere(words: Iterable[str]) -> re.Pattern[str]:
    """Pattern for cue stems found anywhere in a word ('budget' in 'totalbudget')."""
    return re.compile(alt(words), re.I)


_NUM = r"\d{1,3}(?:[ \u00a0\u202f.]\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?"
_WORD_NUM = rf"{alt(_DATA['half_words'])}|{alt(_NUMBERS)}"
_AMOUNT_RE = re.compile(
    rf"(?:(?P<approx>{alt(_DATA['approximators'])})\s+)?"
    rf"(?:(?<![\w.,])(?P<num>{_NUM})|(?<!\w)(?P<word>{_WORD_NUM}))\s*"
    rf"(?:(?P<compact>{alt(_COMPACT)})(?!\w)"
    rf"|(?P<mult>{alt(_MULTIPLIERS)})\.?(?:\s*(?P<cur1>{alt(_CURRENCIES)}))?(?!\w)"
    rf"|(?P<cur2>{alt(_CURRENCIES)})(?![\w€]))",
    re.I,
)
_BARE_RE = re.compile(
    rf"(?<!\w)(?:{alt(_DATA['bare_labels'])})\s*:\s*"
    r"(?P<num>\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d{4,})(?![\d%]|[,.]\d|\s*(?:%|procent))",
    re.I,
)
_PREFIX_CURRENCIES: dict[str, str] = _DATA["prefix_currencies"]
_PREFIX_RE = re.compile(  # an English page's 'SEK 4.5 million', 'EUR 2 100 000'
    rf"(?<![\w€])(?P<cur>{alt(_PREFIX_CURRENCIES)})\s*(?P<num>{_NUM})"
    rf"(?:\s*(?P<mult>{alt(_MULTIPLIERS)})(?!\w))?(?!\w)",
    re.I,
)
_LABEL_LINE_RE = re.compile(rf"^\W*(?:{alt(_DATA['bare_labels'])})\s*:?\s*$", re.I)
_PERCENT_RE = re.compile(r"(?<![\w.,])(?P<num>\d+(?:[.,]\d+)?)\s*(?:%|procent(?!\w))", re.I)
_APPROX_RE = re.compile(rf"(?:{alt(_DATA['approximators'])})\s+", re.I)
_BUDGET_RE = _anywhere(_CUES["budget"])
_GRANT_RE = _anywhere(_CUES["grant"])
_CONTRIBUTION_RE = _anywhere(_CUES["contribution"])
_POOL_RE = _anywhere(_CUES["pool"])
_PART_RE = whole(_CUES["part"])
_RATE_RE = whole(_CUES["rate"])
_FOREIGN_RE = whole(_CUES["foreign"])
_WEAK_GRANT_AFTER_RE = re.compile(rf"^(?:{alt(_CUES['weak_grant_after'])})(?!\w)", re.I)


def _number(text: str) -> Decimal | None:
    """A number written with space or dot thousands and a decimal comma ('4 230 000', '9,6')."""
    t = re.sub(r"[ \u00a0\u202f]", "", text)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", t):
        t = t.replace(".", "")
    try:
        return Decimal(t.replace(",", "."))
    except InvalidOperation:
        return None


def _value(m: re.Match[str]) -> tuple[Decimal, str] | None:
    """The value and currency of a money match."""
    if m.group("word"):
        word = re.sub(r"\s+", " ", m.group("word").lower())
        if not (m.group("mult") or m.group("compact")):
            return None
        base = Decimal("0.5") if word in _DATA["half_words"] else Decimal(_NUMBERS[word])
    else:
        base = _number(m.group("num"))
        if base is None:
            return None
    if m.group("compact"):
        factor, currency = _COMPACT[m.group("compact").lower()]
        return base * factor, currency
    if m.group("mult"):
        cur = m.group("cur1")
        currency = _CURRENCIES[re.sub(r"\s+", " ", cur.lower())] if cur else _DATA["default_currency"]
        return base * _MULTIPLIERS[m.group("mult").lower()], currency
    return base, _CURRENCIES[re.sub(r"\s+", " ", m.group("cur2").lower())]


def _spans(sentence: str) -> list[tuple[int, int, int, str, str]]:
    """(start, end, value, currency, text) of every amount and percentage in a sentence, in order."""
    found = []
    for m in _AMOUNT_RE.finditer(sentence):
        read = _value(m)
        if read is None:
            continue
        if not (m.group("cur1") or m.group("cur2") or m.group("compact")) and _NOT_MONEY_AFTER.match(sentence, m.end()):
            continue
        found.append((m.start(), m.end(), int(read[0].to_integral_value()), read[1], m.group(0)))
    for m in _PREFIX_RE.finditer(sentence):
        value = _number(m.group("num"))
        if value is not None:
            value *= _MULTIPLIERS[m.group("mult").lower()] if m.group("mult") else 1
            currency = _PREFIX_CURRENCIES[m.group("cur").lower()]
            found.append((m.start(), m.end(), int(value.to_integral_value()), currency, m.group(0)))
    for m in _BARE_RE.finditer(sentence):
        value = _number(m.group("num"))
        if value is not None:
            found.append((m.start("num"), m.end("num"), int(value), "SEK", m.group("num")))
    for m in _PERCENT_RE.finditer(sentence):
        value = _number(m.group("num"))
        if value is not None:
            found.append((m.start(), m.end(), int(value.to_integral_value()), "%", m.group(0)))
    found.sort(key=lambda span: (span[0], -span[1]))
    out: list[tuple[int, int, int, str, str]] = []
    for span in found:  # drop a span inside one already kept ('2 350 000' inside 'Budget: 2 350 000 sek')
        if out and span[0] < out[-1][1]:
            continue
        out.append(span)
    return out


def _classify(sentence: str, span: tuple[int, int], prev_end: int, next_start: int) -> tuple[str, int]:
    """The kind of an amount and how sure it is the project's own (0 = not at all), from nearby words."""
    start, end = span
    approx = _APPROX_RE.match(sentence, start)
    words = sentence[max(prev_end, start - _LOOKAROUND): approx.end() if approx else start].split()
    before = " ".join(words[-_WINDOWS["cue_before"]:]) + " "
    near = " ".join(words[-_WINDOWS["pool_before"]:]) + " "
    after = " ".join(sentence[end: min(next_start, end + _LOOKAROUND)].split()[: _WINDOWS["after"]])
    if _POOL_RE.search(near) or _POOL_RE.search(after):
        return "pool", 0
    if _RATE_RE.match(after) or after.startswith("/"):
        return "rate", 0
    if _BUDGET_RE.search(before) or _BUDGET_RE.search(after):
        return "budget", _KIND_SCORE["budget"]
    if _CONTRIBUTION_RE.search(before):
        return "grant", _KIND_SCORE["contribution"]
    if _GRANT_RE.search(before) or _GRANT_RE.search(after + " "):
        return "grant", _KIND_SCORE["grant"]
    if _WEAK_GRANT_AFTER_RE.match(after):
        return "grant", _KIND_SCORE["weak_grant"]
    return "other", 0


@lru_cache(maxsize=4096)  # a page's sentences are read again for each project it lists and for the whole page
def _scored(sentence: str) -> tuple[tuple[Amount, int], ...]:
    """Every amount in a sentence with how sure it is the project's own."""
    spans = _spans(sentence)
    foreign_penalty = _FOREIGN_PENALTY if spans and _FOREIGN_RE.search(sentence) else 0
    out = []
    money_seen = in_parts = False
    for i, (start, end, value, currency, text) in enumerate(spans):
        prev_end = spans[i - 1][1] if i else 0
        next_start = spans[i + 1][0] if i + 1 < len(spans) else len(sentence)
        in_parts = in_parts or (money_seen and bool(_PART_RE.search(sentence, prev_end, start)))
        if currency == "%":
            out.append((Amount(value, text, sentence, "share", "%"), 0))
            continue
        if in_parts:
            out.append((Amount(value, text.strip(), sentence, "part", currency), 0))
            continue
        kind, score = _classify(sentence, (start, end), prev_end, next_start)
        money_seen = True
        out.append((Amount(value, text.strip(), sentence, kind, currency), max(score - foreign_penalty, 0)))
    return tuple(out)


def parse_amounts(sentence: str) -> list[Amount]:
    """Amounts of money (any currency) and percentages in a sentence, in order."""
    return [a for a, _ in _scored(sentence)]


def _label_lines(sentences: list[str]) -> list[str]:
    """Sentences with a label line ('Budget', 'Beviljat stöd', 'Stöd från EU och svenska staten:') joined to the
    value on the line after it when that line is only an amount."""
    out: list[str] = []
    for sentence in sentences:
        amount_only = len(sentence) <= 40 and bool(_AMOUNT_RE.match(sentence.strip()))
        if out and (_LABEL_LINE_RE.match(out[-1]) or out[-1].rstrip().endswith(":") and amount_only):
            out[-1] = f"{out[-1].strip().rstrip(':')}: {sentence}"
        else:
            out.append(sentence)
    return out


def project_budget(sentences: list[str]) -> Amount | None:
    """The project's own budget in kronor; a grant only when it is the project's one amount; never a programme's
    pot, a shared sum or a part."""
    money = [(score, amount) for sentence in _label_lines(sentences) for amount, score in _scored(sentence)
             if amount.currency == "SEK" and amount.kind in PROJECT_KINDS + ("other",) and amount.sek > 0]
    found = [(score, amount) for score, amount in money if amount.kind in PROJECT_KINDS and score > 0]
    if not found:
        return None
    top = max(score for score, _ in found)
    best = next(amount for score, amount in found if score == top)  # the first of the strongest
    headline = bool(re.match(r"^[^.:]{2,80}:\s*" + re.escape(best.text), best.evidence))  # 'Stöd från EU: 300 500 SEK'
    alone = headline and all(score < top or amount.sek == best.sek for score, amount in found)
    return best if best.kind == "budget" or len({amount.sek for _, amount in money}) == 1 or alone else None



_UNITS = f"{alt(_COMPACT)}|{alt(_MULTIPLIERS)}"
_PROBE_RE = re.compile(  # what every amount holds: the parts of _AMOUNT_RE, _PREFIX_RE and _BARE_RE, no look-arounds
    rf"\d\s*(?:{_UNITS}|{alt(_CURRENCIES)})|(?:{_WORD_NUM})\s*(?:{_UNITS})|(?:{alt(_DATA['bare_labels'])})[\s:]*\d"
    rf"|(?:{alt(_PREFIX_CURRENCIES)})\s*\d", re.I)


def may_state_amount(text: str) -> bool:
    """False only when neither project_budget nor item_amount finds an amount in `text` or any part of it (a
    label line joined to its value included): every amount is a number followed by a unit or currency, a number
    word followed by a unit, a currency followed by a number ('SEK 4.5 million'), or a bare label and its digits."""
    return bool(_PROBE_RE.search(text))

def item_amount(item: str) -> Amount | None:
    """The first amount in kronor of a listing's item ('Title/Owner (15.8 miljoner kr)'): the item's own grant
    unless it is a share, a pool or a part."""
    return next((a for a in parse_amounts(item) if a.currency == "SEK" and a.kind in PROJECT_KINDS + ("other",)
                 and a.sek > 0), None)
