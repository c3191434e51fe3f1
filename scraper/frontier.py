"""Which discovered URLs a site's crawl fetches: canonical URLs, a page budget, and caps on crawler traps."""
from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from pipelines.urls import netloc

logger = logging.getLogger(__name__)

# Session ids and tracking parameters: the same page under another name.
NOISE_PARAM_RE = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_[ce]id|_ga|_gl|igshid|yclid|"
                            r"jsessionid|phpsessid|sid|sessionid|aspsessionid\w*|cfid|cftoken)$", re.I)
SESSION_PATH_RE = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.I)
DIGITS_RE = re.compile(r"\d+")


def canonical_url(url: str) -> str:
    """The URL without fragment, session ids or tracking parameters, query sorted (w3lib's canonical form)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not NOISE_PARAM_RE.match(k)]
    path = SESSION_PATH_RE.sub("", parts.path)
    return canonicalize_url(urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), "")))


def path_pattern(url: str) -> str:
    """The URL's shape: numbers in the path made 0, query values dropped (/kalender/2024/05?d=1 -> /kalender/0/0?d)."""
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return DIGITS_RE.sub("0", parts.path) + ("?" + "&".join(keys) if keys else "")


@dataclass
class SiteFrontier:
    """One site's discovery state; memory grows with the URLs admitted, which the page budget bounds."""

    site_id: str
    max_pages: int
    max_query_variants: int
    max_per_pattern: int
    seen: set[str] = field(default_factory=set)
    variants: Counter[str] = field(default_factory=Counter)
    patterns: Counter[str] = field(default_factory=Counter)
    capped: set[str] = field(default_factory=set)

    def admit(self, url: str) -> str | None:
        """The canonical URL to request, or None when it was seen, the budget is spent or a trap cap is reached."""
        canonical = canonical_url(url)
        if canonical in self.seen or len(self.seen) >= self.max_pages:
            return None
        path, pattern = urlsplit(canonical).path, path_pattern(canonical)
        if urlsplit(canonical).query and self.variants[path] >= self.max_query_variants:
            self._log_cap(self.variants[path], path, "query variants")
            return None
        if self.patterns[pattern] >= self.max_per_pattern:
            self._log_cap(self.patterns[pattern], pattern, "URLs")
            return None
        self.remember(canonical)
        return canonical

    def remember(self, canonical: str) -> None:
        """Count a URL as scheduled (also when a resumed run replays its frontier)."""
        self.seen.add(canonical)
        if urlsplit(canonical).query:
            self.variants[urlsplit(canonical).path] += 1
        self.patterns[path_pattern(canonical)] += 1

    def _log_cap(self, count: int, where: str, what: str) -> None:
        """Say once per trap that a cap stopped it."""
        if where not in self.capped:
            self.capped.add(where)
            logger.info("Site %s: %s reached %d %s; not following more (a crawler trap?)", self.site_id, where,
                        count, what)


class SiteScopes:
    """Which crawled site a URL belongs to: its host (www. or not), then the longest path prefix of a site on it.

    Sites on a shared host are told apart by path: `https://lansstyrelsen.se/norrbotten/` and
    `https://lansstyrelsen.se/skane/` are two sites; a site at a host's root owns what no prefix claims.
    """

    def __init__(self, sites: list[dict] = ()) -> None:
        self.by_netloc: dict[str, list[tuple[str, str]]] = {}
        for site in sites:
            self.add(site["base_url"], site["id"])

    def add(self, base_url: str, site_id: str) -> None:
        """Give the site everything under `base_url` (its host and path)."""
        prefix = urlsplit(base_url).path.rstrip("/") + "/"
        scopes = self.by_netloc.setdefault(netloc(base_url), [])
        scopes.append((prefix, site_id))
        scopes.sort(key=lambda scope: len(scope[0]), reverse=True)

    def site_of(self, url: str) -> str | None:
        """The id of the site whose host and longest path prefix match the URL; None when it is off every site."""
        path = urlsplit(url).path or "/"
        for prefix, site_id in self.by_netloc.get(netloc(url), ()):
            if path.startswith(prefix) or path + "/" == prefix:
                return site_id
        return None

    def knows_host(self, url: str) -> bool:
        """Whether some crawled site lives on the URL's host."""
        return netloc(url) in self.by_netloc

    def first_site(self, url: str) -> str | None:
        """The id of a site on the URL's host (the one with the shortest prefix), if any."""
        scopes = self.by_netloc.get(netloc(url))
        return scopes[-1][1] if scopes else None
