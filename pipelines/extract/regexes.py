"""Regular expressions built from the word lists of the data files."""
from __future__ import annotations

import re
from collections.abc import Iterable


def alt(words: Iterable[str]) -> str:
    """Regex alternation of phrases, longest first; a space matches any whitespace."""
    escaped = (re.escape(w).replace("\\ ", " ").replace(" ", r"\s+") for w in sorted(set(words), key=len, reverse=True))
    return "|".join(escaped)


def whole(words: Iterable[str]) -> re.Pattern[str]:
    """Case-insensitive pattern for whole words or phrases ('per' but not 'perioden'), longest first."""
    parts = (("(?<!\\w)" if w[0].isalnum() else "") + alt([w]) + ("(?!\\w)" if w[-1].isalnum() else "")
             for w in sorted(set(words), key=len, reverse=True))
    return re.compile("|".join(parts), re.I)
