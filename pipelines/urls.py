"""URL helpers shared by the crawler and the pipelines: hosts and sites of addresses."""
from __future__ import annotations

from urllib.parse import urlsplit


def netloc(url: str) -> str:
    """The host[:port] of a URL, lower-cased, without a leading www ("https://www.X.se:8080/a" -> "x.se:8080")."""
    loc = urlsplit(url).netloc.lower()
    return loc[4:] if loc.startswith("www.") else loc


def host_of(url: str) -> str:
    """The host of a website address without scheme, port, path or a leading 'www.'; "" for an empty address.

    Accepts addresses without a scheme ("www.x.se/a" -> "x.se").
    """
    url = url.strip()
    if not url:
        return ""
    host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    return host.removeprefix("www.")


def site_of(url: str) -> str:
    """A website's host plus its path ("lansstyrelsen.se/norrbotten") for sites that live under a shared host."""
    url = url.strip()
    return host_of(url) + urlsplit(url if "//" in url else "//" + url).path.rstrip("/")
