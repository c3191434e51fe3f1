"""Find a project's period and a page's own dates in Swedish text."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from pipelines.extract.knowledge import load
from pipelines.extract.regexes import alt

# A small regex grammar over Swedish month names rather than dateparser: dateparser reads one
# date string well, but finding dates in running text (search_dates) is slow, reads stray
# numbers as dates and cannot tell the project's period from a publishing or decision date.
# The period needs both ends, their precision ("hösten 2024", "2016-2019") and the cue words
# around them, which a grammar over data/dates.json gives directly. Measured (benchmarks/dates_vs_dateparser.py,
# 67 month and season expressions of real and invented pages): both agree wherever both read one; dateparser
# reads no season ('hösten 2023', 'vår/sommar 2021') nor 'första januari 2018', at about 1/200 of the speed.

_DATA = load("dates")
_NUMBERS: dict[str, int] = {**load("number_words")["cardinals"], **_DATA["english_cardinals"]}
_CUES: dict[str, list[str]] = {key: words + _DATA["english_cues"].get(key, []) if isinstance(words, list) else words
                               for key, words in _DATA["cues"].items()}  # Swedish cues, plus an English page's
_MONTHS: dict[str, int] = {**_DATA["months"], **_DATA["english_months"]}
_DAY_ONLY_MONTHS: dict[str, int] = _DATA["day_only_months"]
_ALL_MONTHS = {**_MONTHS, **_DAY_ONLY_MONTHS}
_YEAR_MONTHS: dict[str, int] = {**_MONTHS, **_DATA["before_year_months"]}  # months read right before a year
_DAY_WORDS: dict[str, int] = _DATA["day_words"]
_SEASONS: dict[str, list[int]] = _DATA["seasons"]

Ymd = tuple[int, int | None, int | None]


@dataclass
class Period:
    """A project's start and end (YYYY-MM-DD, YYYY-MM or YYYY) and the sentences they came from."""

    start: str | None
    end: str | None
    evidence: str



def _stems(*lists: str) -> re.Pattern[str]:
    """Pattern matching any word that starts with one of the stems in the named cue lists."""
    return re.compile(rf"(?<!\w)(?:{alt(w for name in lists for w in _CUES[name])})\w*", re.I)


_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_MONTH = rf"(?:{alt(_MONTHS)})(?!\w)"
_YEAR_MONTH = rf"(?:{alt(_YEAR_MONTHS)})(?!\w)"
_ANY_MONTH = rf"(?:{alt(_ALL_MONTHS)})(?!\w)"
_DAY = rf"(?:[0-3]?\d(?::[ae])?\.?|{alt(_DAY_WORDS)})"
_DATE_RE = re.compile(
    r"(?<![\w/.,])(?:"
    rf"(?P<iso_y>{_YEAR})-(?P<iso_m>0[1-9]|1[0-2])-(?P<iso_d>0[1-9]|[12]\d|3[01])(?!\d)"
    rf"|(?P<num_d>[0-3]?\d)[/.](?P<num_m>[01]?\d)(?:[/.]|\s*-\s*|\s+)(?P<num_y>{_YEAR})(?!\d)"
    rf"|(?P<dmy_d>{_DAY})\s+(?P<dmy_m>{_ANY_MONTH})\.?,?\s+(?P<dmy_y>{_YEAR})(?!\d)"
    rf"|(?P<turn>{alt(_DATA['turn_of_year'])})\s+(?P<turn_a>{_YEAR})\s*[/–-]\s*(?P<turn_b>{_YEAR}|\d\d)(?!\d)"
    rf"|(?P<sea>{alt(_SEASONS)})\s+(?P<sea_y>{_YEAR})(?!\d)"
    rf"|(?P<my_m>{_YEAR_MONTH})\.?\s+(?P<my_y>{_YEAR})(?!\d)"
    rf"|(?P<dm_d>{_DAY})\s+(?P<dm_m>{_ANY_MONTH})\.?"
    rf"|(?P<mo_m>{_MONTH})"
    rf"|(?P<ys_a>{_YEAR})\s*/\s*(?P<ys_b>{_YEAR}|\d\d)(?![\d/])"
    rf"|(?P<y2_a>{_YEAR})\s*[-–—]\s*(?P<y2_b>\d\d)(?![\d-])"
    rf"|(?P<y>{_YEAR})(?!\d|[.,]\d)"
    ")",
    re.I,
)
_CONNECTOR_RE = re.compile(rf"\s*(?:[-–—]{{1,2}}|{alt(_CUES['range_connectors'])})\s*(?:den\s+|i\s+)?", re.I)
_LABEL = (rf"(?:(?P<start>{alt(_CUES['start_label'])})\w*|(?P<end>{alt(_CUES['end_label'])})\w*"
          rf"|(?P<period>(?:{alt(_CUES['label'])})\w*|(?:{alt(_CUES['exact_label'])})(?!\w)))")
_LABEL_RE = re.compile(rf"^\W*{_LABEL}\s*:", re.I)
_BARE_LABEL_RE = re.compile(rf"^\W*{_LABEL}\W*$", re.I)  # a label heading whose value is on the next line
_END_PREP_RE = re.compile(rf"(?<!\w)(?:{alt(_CUES['end_preps'])})\s*:?\s+(?:den\s+|i\s+)?$", re.I)
_START_PREP_RE = re.compile(rf"(?<!\w)(?:{alt(_CUES['start_preps'])})\s*:?\s+(?:den\s+|i\s+)?$", re.I)
_SPAN_PREP_RE = re.compile(rf"(?<!\w)(?:{alt(_CUES['span_preps'])})\s+(?:den\s+|hela\s+)?$", re.I)
_PERIOD_RE = _stems("period")
_ACTIVITY_RE = _stems("activity")
_START_RE = _stems("start")
_END_RE = _stems("end")
_PAGE_OR_DECISION_RE = _stems("page", "decision")
_CALL_RE = _stems("call")
_PREVIOUS_RE = _stems("previous")
_EVENT_RE = re.compile(rf"(?<!\w)(?:{alt(_CUES['event'])})(?!\w)", re.I)
_PROGRAMME_RE = _stems("programme")
_PROJECT_NOUN_RE = _stems("project_nouns")
_MANY_PROJECTS_RE = re.compile(rf"(?<!\w)(?:{alt(_CUES['many_projects'])}|[1-9]\d+)\s+(?:[^\W\d_]+\s+)?"
                               r"[^\W\d_]*projekt(?!\w)", re.I)
_ONE_PROJECT_RE = re.compile(rf"(?<!\w)[^\W\d_]*(?:{alt(_CUES['one_project'])})(?!\w)", re.I)
_TARGET_RE = re.compile(rf"(?<!\w)(?:{alt(_CUES['target'])})(?!\w)", re.I)
_SINCE_RE = re.compile(rf"(?<!\w)(?:{alt(_CUES['since_activity'])})\s+(?:år\s+)?$", re.I)
_PROJECT_SPAN_RE = re.compile(rf"(?<!\w)(?:{alt(_CUES['project_nouns'])})\w*\s+(?:{alt(_CUES['span_preps'])})\s+$", re.I)
_RELATIVE_RE = re.compile(rf"(?P<antecedent>\w+)\s*,\s*(?:{alt(_CUES['relative_markers'])})\s", re.I)
_NAMED_PROJECT_RE = re.compile(  # 'projektet Cykelvägar i Nordby' right before ', som': the clause is the project's
    rf"(?<!\w)(?:{alt(_CUES['project_nouns'])})\w*\s+[\"”“]?[A-ZÅÄÖ0-9][\w-]*(?:[\"”“]?\s+(?:(?:i|och|för|på|av|med)\s+)?"
    r"[\"”“]?[A-ZÅÄÖ0-9][\w-]*)*[\"”“]?\s*$")
_NAME_WORD_RE = re.compile(alt(_CUES["name_words"]), re.I)
_CUE_WORD_RE = _stems("period", "activity", "start", "end", "label", "start_label", "end_label", "span_preps",
                      "start_preps", "end_preps")
_YEAR_BLOCKERS = frozenset(_DATA["year_unit_blockers"])
_NUMBER = rf"(?:\d{{1,3}}|{alt(_NUMBERS)})"
_DURATION_RE = re.compile(
    rf"(?<!\w)(?:(?:{alt(_DATA['duration_preps'])})\s+(?:(?:{alt(_DATA['duration_approximators'])})\s+)?"
    rf"(?P<n>{_NUMBER})\s+(?P<unit>{alt(_DATA['duration_units'])})(?!\w)"
    rf"|(?P<adj>{_NUMBER})\s*-?\s*(?P<adj_unit>{alt(_DATA['duration_adjectives'])})\w*)",
    re.I,
)
_COMPACT_DATE_RE = re.compile(r"(?<![\d-])(19[5-9]\d|20[0-4]\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ\"”–•])")

_LOOKBACK = 300  # characters before a date that its cue words are looked for in
_PRECISION = {"year": 1, "season": 2, "month": 2, "day": 3}
_PAGE = _DATA["page_labels"]
_PAGE_LABEL_RE = re.compile(
    r"(?:^|(?<=[|,;•·])|(?<=\s\s)|(?<=\d\s))\s*"
    rf"(?:(?:{alt(_PAGE['prefixes'])})\s+){{0,2}}"
    rf"(?:(?P<published>{alt(_PAGE['published'])})|(?P<updated>{alt(_PAGE['updated'])}))(?!\w)"
    rf"(?:\s+(?:{alt(_PAGE['suffixes'])})(?!\w))*\s*:?\s*",
    re.I,
)


@dataclass(frozen=True)
class _Mention:
    """A date or date range in a sentence: earliest and latest reading, and how precise it is."""

    start: int
    end: int
    lo: Ymd | None  # None for a year-less partial date ("1 januari" in "1 januari–31 mars 2021")
    hi: Ymd | None
    precision: str  # "day", "month", "season", "year" or "partial"
    partial: tuple[int | None, int] | None = None  # (day, month) of a year-less date
    is_range: bool = False


@dataclass(frozen=True)
class _Sentence:
    """What a whole sentence says about its dates, read once per sentence rather than once per date in it (a long
    one-line page holds thousands of dates: reading the sentence again for each was quadratic)."""

    text: str
    index: int
    label: str | None  # the period label the sentence starts with ('Projekttid:'), if any
    event: bool  # it tells of a meeting or an event
    named: bool  # it names a project ('projektet', 'ett ESF-projekt')
    many: bool  # it dates a set of projects (see _about_many)


@dataclass(frozen=True)
class _Candidate:
    """A date the cue words tie to the project's period."""

    start: Ymd | None
    end: Ymd | None
    score: int
    precision: str
    sentence: int
    named: bool = False  # the sentence names a project ('ett ESF-projekt'), not only people or bodies


def _day(word: str, year: int | None, month: int) -> int | None:
    """A day number from '1', '1:a', 'första' or 'sista' (0 = last day; None if out of range)."""
    w = word.lower().rstrip(".").split(":")[0]
    day = _DAY_WORDS[w] if w in _DAY_WORDS else int(w)
    last = calendar.monthrange(year or 2000, month)[1]
    if day == 0:
        return last
    return day if 1 <= day <= last else None


def _two_digit_end(first: int, yy: str) -> int | None:
    """The later year of '2023–26' or '2020/21', or None if it is not later."""
    second = first - first % 100 + int(yy)
    return second if second > first else None


def _mention(m: re.Match[str]) -> _Mention | None:
    """Read one date match; None if it is not a real date."""
    g = m.group
    s, e = m.start(), m.end()
    if g("iso_y"):
        d = (int(g("iso_y")), int(g("iso_m")), int(g("iso_d")))
        return _Mention(s, e, d, d, "day") if _valid(d) else None
    if g("num_y"):
        d = (int(g("num_y")), int(g("num_m")), int(g("num_d")))
        return _Mention(s, e, d, d, "day") if _valid(d) else None
    if g("dmy_y"):
        y, mo = int(g("dmy_y")), _ALL_MONTHS[g("dmy_m").lower()]
        day = _day(g("dmy_d"), y, mo)
        d = (y, mo, day)
        return _Mention(s, e, d, d, "day") if day else _Mention(s, e, (y, mo, None), (y, mo, None), "month")
    if g("turn"):
        first = int(g("turn_a"))
        second = int(g("turn_b")) if len(g("turn_b")) == 4 else _two_digit_end(first, g("turn_b"))
        if second != first + 1:
            return None
        return _Mention(s, e, (second, 1, None), (first, 12, None), "month")
    if g("sea"):
        y = int(g("sea_y"))
        first, last = _SEASONS[re.sub(r"\s+", " ", g("sea").lower())]
        return _Mention(s, e, (y, first, None), (y, last, None), "season")
    if g("my_y"):
        d = (int(g("my_y")), _YEAR_MONTHS[g("my_m").lower()], None)
        return _Mention(s, e, d, d, "month")
    if g("dm_m"):
        mo = _ALL_MONTHS[g("dm_m").lower()]
        day = _day(g("dm_d"), None, mo)
        return _Mention(s, e, None, None, "partial", (day, mo)) if day else None
    if g("mo_m"):
        return _Mention(s, e, None, None, "partial", (None, _MONTHS[g("mo_m").lower()]))
    if g("ys_a") or g("y2_a"):
        first = int(g("ys_a") or g("y2_a"))
        b = g("ys_b") or g("y2_b")
        second = int(b) if len(b) == 4 else _two_digit_end(first, b)
        if second is None or not first < second <= first + 20:
            return None
        return _Mention(s, e, (first, None, None), (second, None, None), "year", is_range=True)
    y = (int(g("y")), None, None)
    return _Mention(s, e, y, y, "year")


def _valid(d: Ymd) -> bool:
    """Whether a full date exists in the calendar."""
    y, mo, day = d
    return mo is not None and 1 <= mo <= 12 and day is not None and 1 <= day <= calendar.monthrange(y, mo)[1]


def _join(first: _Mention, second: _Mention) -> _Mention | None:
    """The range 'first – second'; a year-less first part takes the second part's year."""
    if second.hi is None:
        return None
    lo = first.lo
    if lo is None:
        day, month = first.partial or (None, 1)
        year = second.hi[0] - (1 if second.hi[1] and month > second.hi[1] else 0)
        lo = (year, month, day)
    if _key(lo, True) > _key(second.hi, False):
        return None
    precision = min(first.precision, second.precision, key=lambda p: _PRECISION.get(p, 3))
    return _Mention(first.start, second.end, lo, second.hi, precision, is_range=True)


def _mentions(sentence: str) -> list[_Mention]:
    """Dates and date ranges in a sentence, in order; year-less parts only inside a range."""
    found = [x for x in map(_mention, _DATE_RE.finditer(sentence)) if x]
    out: list[_Mention] = []
    i = 0
    while i < len(found):
        cur = found[i]
        if i + 1 < len(found) and _CONNECTOR_RE.fullmatch(sentence, cur.end, found[i + 1].start):
            joined = _join(cur, found[i + 1])
            if joined:
                out.append(joined)
                i += 2
                continue
        if cur.lo is not None:
            out.append(cur)
        i += 1
    return out


def _key(d: Ymd, as_start: bool) -> tuple[int, int, int]:
    """Sort key of a date read as the first or last day it can mean."""
    y, mo, day = d
    if as_start:
        return (y, mo or 1, day or 1)
    mo = mo or 12
    return (y, mo, day or calendar.monthrange(y, mo)[1])


def _fmt(d: Ymd) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD."""
    y, mo, day = d
    if mo is None:
        return f"{y:04d}"
    return f"{y:04d}-{mo:02d}" if day is None else f"{y:04d}-{mo:02d}-{day:02d}"


def _is_name_part(before: str, offset: int) -> bool:
    """Whether the word before a year makes it part of a name ('Leader 2023-2027', 'Tornedalen 2020')."""
    words = before.split()
    if len(words) < 2 and offset <= _LOOKBACK:
        return False  # sentence-initial word, or none
    word = words[-1][-40:]
    if word.endswith(":") or _CUE_WORD_RE.fullmatch(word.strip("(,;")):
        return False
    return bool(_NAME_WORD_RE.search(word)) or word[:1].isupper()


def _judge(context: _Sentence, m: _Mention, span: tuple[int, int]) -> _Candidate | None:
    """How strongly the words around a date make it the project's start, end or both."""
    sentence, label = context.text, context.label
    prev_end, next_start = span
    before = sentence[max(0, m.start - _LOOKBACK): m.start]
    prefix = sentence[max(prev_end, m.start - _LOOKBACK): m.start]
    words = prefix.split()
    window, near = " ".join(words[-10:]), " ".join(words[-4:])
    post = " ".join(sentence[m.end: min(next_start, m.end + _LOOKBACK)].split()[:1])
    after_word = post.split()[0].lower().strip(".,;:") if post else ""
    post_cue = _verb_cue(post, from_right=False) if post[:1].isalnum() else None  # "2018 inleds", not "2018: Vi startar"
    if _PAGE_OR_DECISION_RE.search(near) or _CALL_RE.search(" ".join(words[-8:])) or _PROGRAMME_RE.search(window):
        return None
    if _PREVIOUS_RE.search(" ".join(before.split()[-15:])):
        return None
    if m.precision == "year" and (_is_name_part(before, m.start) or after_word in _YEAR_BLOCKERS):
        return None

    if not label and (_off_project(context.named, prefix) or context.many):
        return None
    window = _outside_relative_clause(prefix, window)

    score, direction = (3, None) if label else (0, None)
    if _PROJECT_SPAN_RE.search(prefix[-60:]):
        score, direction = 3, "both"  # "ett projekt under 2022"
    spanning = False  # 'under 2026' spans the period unless a verb says which end ('avslutas under våren 2026')
    for regex, prep_dir in ((_END_PREP_RE, "end"), (_START_PREP_RE, "start"), (_SPAN_PREP_RE, "both")):
        if score < 3 and regex.search(prefix[-40:]):
            score, direction, spanning = max(score, 2), prep_dir, prep_dir == "both"
            break
    for verb_score, verb_dir in filter(None, (_verb_cue(window, from_right=True), post_cue)):
        score = max(score, verb_score)
        direction = verb_dir if spanning and verb_dir else direction or verb_dir
    direction = direction or (label if label != "period" else None)
    if m.is_range and score == 0 and m.precision != "year":
        score = 1  # "1 februari 2021 – 31 januari 2023" reads as a period even without a cue
    if score == 0 or (score < 3 and context.event):
        return None
    if m.is_range:
        direction = "both"
    elif direction is None:
        direction = "both" if m.precision in ("year", "season") else "start"
    start = m.lo if direction in ("start", "both") else None
    end = m.hi if direction in ("end", "both") else None
    return _Candidate(start, end, score, m.precision, context.index, context.named)


def _about_many(sentence: str) -> bool:
    """Whether a sentence dates a set of projects rather than the project: 'Avslutade projekt 2014-2024', 'Under
    perioden 2007-2013 beviljades 58 leaderprojekt' (and names none of them as 'projektet')."""
    return bool(_MANY_PROJECTS_RE.search(sentence)) and not _ONE_PROJECT_RE.search(sentence)


def _off_project(named: bool, prefix: str) -> bool:
    """Whether a sentence naming no project (named: whether it names one) dates a goal or the body's own work instead
    of the project: 'Kommunen ska vara fossilfri till 2035' (target year), 'Sedan 2021 söker vi medel' (ongoing
    activity); prefix: the words before the date."""
    if named:
        return False
    return bool(_SINCE_RE.search(prefix[-40:]) or (_TARGET_RE.search(prefix) and _END_PREP_RE.search(prefix[-40:])))


def _outside_relative_clause(prefix: str, window: str) -> str:
    """The cue window without a relative clause about something other than the project: in 'Rådet, som
    startade under 2019' the start verb dates the council; in 'Kommunen, som startade projektet 2019' and
    'projektet Cykelvägar i Nordby, som pågår 2023–2025' it stays."""
    clauses = list(_RELATIVE_RE.finditer(prefix))
    if not clauses:
        return window
    last = clauses[-1]
    if (_PROJECT_NOUN_RE.search(last.group("antecedent")) or _PROJECT_NOUN_RE.search(prefix[last.end():]) or
            _NAMED_PROJECT_RE.search(prefix[max(0, last.start("antecedent") - 80):last.end("antecedent")])):
        return window
    return " ".join(prefix[: last.start("antecedent")].split()[-10:])


def _verb_cue(text: str, from_right: bool) -> tuple[int, str | None] | None:
    """The strongest cue verb in a text and the direction of the one nearest the date."""
    hits = []
    for regex, score, direction in ((_START_RE, 3, "start"), (_END_RE, 3, "end"), (_PERIOD_RE, 3, None),
                                    (_ACTIVITY_RE, 2, None)):
        hits += [(h.start(), score, direction) for h in regex.finditer(text)]
    if not hits:
        return None
    directed = sorted((pos, d) for pos, _, d in hits if d)
    direction = (directed[-1] if from_right else directed[0])[1] if directed else None
    return max(score for _, score, _ in hits), direction


def _sentences(text: str) -> list[str]:
    """Sentences of a text; a short line ending in ':' or a bare label heading ('Projekttid') joins the line after it."""
    merged: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        line = f"{pending} {line}" if pending else line
        pending = ""
        if line.endswith(":") and len(line) < 80 or _BARE_LABEL_RE.match(line):
            pending = line if line.endswith(":") else f"{line}:"
            continue
        merged.append(line)
    if pending:
        merged.append(pending)
    return [s for line in merged for s in _SENTENCE_END_RE.split(line) if s]


def _candidates(sentences: list[str]) -> list[_Candidate]:
    """Every date in the sentences that cue words tie to the project's period."""
    out = []
    for index, sentence in enumerate(sentences):
        mentions = _mentions(sentence)
        if not mentions:
            continue
        label_match = _LABEL_RE.match(sentence)
        context = _Sentence(sentence, index, label_match.lastgroup if label_match else None,
                            bool(_EVENT_RE.search(sentence)), bool(_PROJECT_NOUN_RE.search(sentence)),
                            _about_many(sentence))
        for i, m in enumerate(mentions):
            prev_end = mentions[i - 1].end if i else 0
            next_start = mentions[i + 1].start if i + 1 < len(mentions) else len(sentence)
            c = _judge(context, m, (prev_end, next_start))
            if c:
                out.append(c)
    return out


def _best(cands: list[_Candidate], as_start: bool) -> _Candidate | None:
    """The highest-scored candidate; among equals one from a sentence that names a project, then the earliest start
    or the latest end, then the most precise."""
    pool = [c for c in cands if (c.start if as_start else c.end)]
    if not pool:
        return None
    top = max(c.score for c in pool)
    pool = [c for c in pool if c.score == top]
    pool = [c for c in pool if c.named] or pool
    if as_start:
        return min(pool, key=lambda c: (_key(c.start, True), -_PRECISION.get(c.precision, 3)))
    return max(pool, key=lambda c: (_key(c.end, False), _PRECISION.get(c.precision, 3)))


def _duration_months(text: str, adjective_only: bool = False) -> int | None:
    """A project length in months from 'löper under tre år', 'i 18 månader' or 'treårigt'."""
    m = next((m for m in _DURATION_RE.finditer(text) if m.group("adj") or not adjective_only), None)
    if not m:
        return None
    number = (m.group("n") or m.group("adj")).lower()
    n = int(number) if number.isdigit() else _NUMBERS[number]
    if m.group("adj"):
        months = n * _DATA["duration_adjectives"][m.group("adj_unit").lower()]
    else:
        months = n * _DATA["duration_units"][m.group("unit").lower()]
    return months if 0 < months <= 240 else None


def _add_months(start: Ymd, months: int) -> Ymd | None:
    """The last year, month or day of a run of months that begins at start."""
    y, mo, day = start
    if mo is None:
        return (y + months // 12 - 1, None, None) if months % 12 == 0 else None
    if day is None:
        ey, em = divmod(y * 12 + mo - 2 + months, 12)
        return (ey, em + 1, None)
    ey, em = divmod(y * 12 + mo - 1 + months, 12)
    last = date(ey, em + 1, min(day, calendar.monthrange(ey, em + 1)[1])) - timedelta(days=1)
    return (last.year, last.month, last.day)


def _derived_end(start: _Candidate, sentences: list[str]) -> Ymd | None:
    """An end computed from the start and a duration in the start's sentence or a 'N-årigt' anywhere."""
    months = _duration_months(sentences[start.sentence])
    if months is None:
        months = next(filter(None, (_duration_months(s, adjective_only=True) for s in sentences)), None)
    return _add_months(start.start, months) if months and start.start else None


def _derived_start(end: _Candidate, sentences: list[str]) -> Ymd | None:
    """A start (month precision) computed from the end and a duration in the end's sentence: 'löper i två år och
    avslutas 2025-06-15' -> 2023-06."""
    months = _duration_months(sentences[end.sentence])
    if not months or not end.end or end.end[1] is None:
        return None
    y, m = divmod(end.end[0] * 12 + end.end[1] - 1 - months, 12)
    return (y, m + 1, None)


def find_period(text: str) -> Period | None:
    """The project's period in a text segment (a project's sentences), or None if none is stated."""
    text = _COMPACT_DATE_RE.sub(r"\1-\2-\3", text)  # '20220101- 20231231'
    sentences = _sentences(text)
    cands = _candidates(sentences)
    start, end = _best(cands, True), _best(cands, False)
    end_value = end.end if end else None
    used = {c.sentence for c in (start, end) if c}
    if start and (end is None or end.score < start.score):
        derived = _derived_end(start, sentences)
        if derived:
            end_value, end = derived, None
            used = {start.sentence}
    start_value = start.start if start else None
    if start is None and end is not None:
        start_value = _derived_start(end, sentences)
    if start_value and end_value and _key(start_value, True) > _key(end_value, False):
        if end and end.score >= start.score:
            start_value = None
        else:
            end_value = None
    if not start_value and not end_value:
        return None
    evidence = " ".join(sentences[i] for i in sorted(used))
    return Period(_fmt(start_value) if start_value else None, _fmt(end_value) if end_value else None, evidence)


_YEAR_RE = re.compile(_YEAR)


def may_state_period(text: str) -> bool:
    """False only when find_period finds nothing in `text` (or any part of it): every date it reads holds a year
    (a year-less part only inside a range whose other end has one), so a text without a year states no period."""
    return bool(_YEAR_RE.search(text))


def dated_after(sentence: str, end: str) -> bool:
    """Whether a sentence dates what it tells after a project's end (YYYY[-MM[-DD]]): 'Från och med 2015 drivs
    verksamheten med stöd från X' when the project ended in 2014 (a later phase, not the project)."""
    period = find_period(sentence)
    first = period and (period.start or period.end)
    return bool(first) and int(first[:4]) > int(end[:4])


def _page_date(text: str) -> str | None:
    """A full date at the start of a text, as YYYY-MM-DD."""
    m = _DATE_RE.match(text.strip())
    mention = _mention(m) if m else None
    return _fmt(mention.lo) if mention and mention.precision == "day" and mention.lo else None


def page_dates(lines: list[str]) -> tuple[str | None, str | None]:
    """The page's own (published, updated) dates from labelled lines such as 'Senast uppdaterad: 2023-09-14'."""
    found: dict[str, str] = {}
    for i, line in enumerate(lines):
        for m in _PAGE_LABEL_RE.finditer(line):
            kind = m.lastgroup or ""
            if kind in found:
                continue
            rest = line[m.end():]
            value = _page_date(rest)
            if value is None and not rest.strip():
                following = next((x.strip() for x in lines[i + 1: i + 4] if x.strip()), "")
                value = _page_date(following) if len(following) <= 40 else None
            if value:
                found[kind] = value
    return found.get("published"), found.get("updated")
