"""A simulated national web for tests and benchmarks: one loopback server playing every registry site.

Each site (a municipality, region, county board, or any site row) is generated deterministically from its
id: its size (default 50-3,000 pages), CMS family (Sitevision, EPiServer/Optimizely, WordPress, Drupal,
in about the shares seen on Swedish municipal sites), URL shapes, robots.txt rules, sitemap (or sitemap
index), response time (default 50-500 ms; a few sites slow), and whether it fails (503 everywhere) or
moved (301 to `ny.<host>`). Pages are built on the fly, never stored: a page links to its parent, its
children in a tree, two related pages, a search page robots.txt disallows, and on Sitevision sites a
calendar trap. About one page in 13 describes a development project (invented text: funders, partners,
period, budget). County boards share one host, lansstyrelsen.se, each under its own /<county>/ prefix.

The server is reached like the real web, through the standard proxy variables: http_proxy for http://
URLs (absolute-form requests) and https_proxy for https:// ones (CONNECT, then TLS with a self-signed
certificate, which Scrapy does not verify). It counts requests in flight per host and their peak, so
tests can check politeness across crawl workers.
"""
from __future__ import annotations

import hashlib
import random
import re
import socketserver
import ssl
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipelines.urls import netloc

# (family, share of sites, sections)
CMS_FAMILIES = (("sitevision", 0.60), ("episerver", 0.20), ("wordpress", 0.12), ("drupal", 0.08))
SECTIONS = ("kommun-och-politik", "naringsliv-och-arbete", "bygga-bo-och-miljo", "omsorg-och-stod",
            "utbildning", "kultur-och-fritid")
DISALLOWED = {"sitevision": ["/sitevision/", "/sok"], "episerver": ["/episerver/", "/util/", "/sok"],
              "wordpress": ["/wp-admin/", "/sok"], "drupal": ["/admin/", "/sok", "/node/*/edit"]}
SYLLABLES = ("lin", "ta", "vä", "ko", "ber", "sa", "mo", "ri", "gå", "nel", "hav", "sko", "ås", "dal", "bro")
FUNDERS = ("Europeiska regionala utvecklingsfonden", "Europeiska socialfonden+", "Tillväxtverket",
           "Jordbruksverket", "Vinnova", "Energimyndigheten", "Allmänna arvsfonden")
PAGE_NUMBER_RE = re.compile(r"(?:-|node/)(\d+)(?:\.html|/)?$")
BRANCHING = 6


def _rng(*parts: object) -> random.Random:
    """A random generator seeded from the parts (stable across runs and Python versions)."""
    return random.Random(int.from_bytes(hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()[:8], "big"))


def _word(rng: random.Random, n: int = 3) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(n))


@dataclass(frozen=True)
class SimSite:
    """One simulated site: where it lives, what it runs and how it behaves."""

    id: str
    name: str
    host: str
    prefix: str  # "/" or "/norrbotten/" on a shared host
    cms: str
    pages: int
    latency: float  # seconds per response
    failing: bool = False
    moved_to: str | None = None  # host the site moved to (its old host answers 301)

    def path(self, i: int) -> str:
        """The URL path of page i (0: the home page)."""
        if i == 0:
            return self.prefix
        slug = _word(_rng(self.id, i), 2 + i % 2)
        section = SECTIONS[i % len(SECTIONS)]
        if self.cms == "sitevision":
            return f"{self.prefix}{section}/{slug}-{i}.html"
        if self.cms == "episerver":
            return f"{self.prefix}{section}/{slug}-{i}/"
        if self.cms == "wordpress":
            return f"{self.prefix}{slug}-{i}/"
        return f"{self.prefix}node/{i}"

    def page_of(self, path: str) -> int | None:
        """The page number a path names, or None."""
        if path in (self.prefix, self.prefix.rstrip("/")):
            return 0
        match = PAGE_NUMBER_RE.search(path)
        i = int(match.group(1)) if match else -1
        return i if 0 < i < self.pages and self.path(i) == path else None

    def is_project(self, i: int) -> bool:
        return i % 13 == 5

    def in_sitemap(self, i: int) -> bool:
        return i % 7 != 3  # some pages only reachable by links

    def is_broken_link(self, i: int) -> bool:
        return i % 97 == 13


def simulated_sites(sites: list[dict], pages: tuple[int, int] = (50, 3000), latency: tuple[float, float] = (0.05, 0.5),
                    seed: str = "kommunarkiv") -> list[SimSite]:
    """A SimSite for each site row (id, name, base_url), deterministic for the seed.

    Sizes are log-uniform in `pages`; latencies uniform in `latency`, four times longer on ~5% of sites;
    ~3% of sites fail and ~2% moved (never county boards, which share their host).
    """
    out = []
    for site in sites:
        rng = _rng(seed, site["id"])
        parts = urlsplit(site["base_url"])
        host = netloc(site["base_url"])
        shared = parts.path.strip("/") != ""
        cms = rng.choices([f for f, _ in CMS_FAMILIES], [w for _, w in CMS_FAMILIES])[0]
        size = int(round(pages[0] * (pages[1] / pages[0]) ** rng.random())) if pages[1] > pages[0] else pages[0]
        delay = rng.uniform(*latency) * (4 if rng.random() < 0.05 else 1)
        roll = rng.random()
        out.append(SimSite(site["id"], site.get("name") or host, host, parts.path.rstrip("/") + "/", cms, size, delay,
                           failing=roll < 0.03, moved_to=f"ny.{host}" if 0.03 <= roll < 0.05 and not shared else None))
    return out


class NationalWeb:
    """The simulated sites by host and path prefix, with per-host request counts (thread-safe)."""

    def __init__(self, sites: list[SimSite], time_scale: float = 1.0, traps: bool = True) -> None:
        self.sites = sites
        self.time_scale = time_scale
        self.traps = traps  # Sitevision calendars linking on without end (which URLs a capped crawl keeps varies)
        self.by_host: dict[str, list[SimSite]] = defaultdict(list)
        self.partners = [s.name for s in sites][:50] or ["Grannkommunen"]
        for site in sites:
            self.by_host[site.host].append(site)
            if site.moved_to:
                self.by_host[site.moved_to].append(site)
        for scopes in self.by_host.values():
            scopes.sort(key=lambda s: len(s.prefix), reverse=True)
        self._lock = threading.Lock()
        self.inflight: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()

    def site_at(self, host: str, path: str) -> SimSite | None:
        """The site serving a path on a host (longest prefix), if any."""
        for site in self.by_host.get(host, ()):
            if path.startswith(site.prefix) or path + "/" == site.prefix:
                return site
        return None

    def enter(self, host: str) -> None:
        with self._lock:
            self.inflight[host] += 1
            self.requests[host] += 1
            self.peak[host] = max(self.peak[host], self.inflight[host])

    def leave(self, host: str) -> None:
        with self._lock:
            self.inflight[host] -= 1

    def respond(self, scheme: str, host: str, target: str) -> tuple[int, dict[str, str], bytes, float]:
        """(status, headers, body, seconds to wait before answering) for a request."""
        host = host.lower().removeprefix("www.")
        parts = urlsplit(target)
        path, query = unquote(parts.path) or "/", parts.query
        scopes = self.by_host.get(host)
        if not scopes:
            return 502, {}, b"unknown host", 0.0
        site = self.site_at(host, path) or scopes[-1]
        wait = site.latency * self.time_scale * _rng(host, target).uniform(0.8, 1.2)
        if site.moved_to and host == site.host:
            return 301, {"Location": f"{scheme}://{site.moved_to}{path}"}, b"", wait
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, self.robots(scheme, host).encode(), wait
        if site.failing:
            return 503, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>Tillf\xc3\xa4lligt fel</h1>", wait
        if path == "/sitemap.xml" or path.startswith(site.prefix + "sitemap"):
            body = self.sitemap(scheme, host, path)
            return (200, {"Content-Type": "application/xml"}, body.encode(), wait) if body else (404, {}, b"", wait)
        if path.rstrip("/").endswith("/sok") or path.endswith("/kalender"):
            return 200, {"Content-Type": "text/html; charset=utf-8"}, self.listing(site, path, query).encode(), wait
        i = self.site_at(host, path) and site.page_of(path)
        if i is None or (i and site.is_broken_link(i)):
            return 404, {"Content-Type": "text/html; charset=utf-8"}, b"<h1>Sidan finns inte</h1>", wait
        return 200, {"Content-Type": "text/html; charset=utf-8"}, self.page(site, i).encode(), wait

    def robots(self, scheme: str, host: str) -> str:
        scopes = self.by_host[host]
        rules = sorted({site.prefix.rstrip("/") + rule for site in scopes for rule in DISALLOWED[site.cms]})
        return ("User-agent: *\n" + "".join(f"Disallow: {rule}\n" for rule in rules) +
                f"\nSitemap: {scheme}://{host}/sitemap.xml\n")

    def sitemap(self, scheme: str, host: str, path: str) -> str | None:
        """The host's sitemap index (shared hosts, big sites) or a urlset of one site's pages."""
        scopes = self.by_host[host]
        head = '<?xml version="1.0" encoding="UTF-8"?>\n'
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        if path == "/sitemap.xml" and (len(scopes) > 1 and scopes[0].prefix != "/" or scopes[0].pages > 1000):
            chunks = [f"{s.prefix}sitemap-{n}.xml" for s in scopes for n in range(0, s.pages, 1000)]
            return head + f"<sitemapindex {ns}>" + "".join(
                f"<sitemap><loc>{scheme}://{host}{c}</loc></sitemap>" for c in chunks) + "</sitemapindex>"
        site = self.site_at(host, path) or scopes[0]
        match = re.search(r"sitemap-(\d+)\.xml$", path)
        start = int(match.group(1)) if match else 0
        if start >= site.pages:
            return None
        urls = [i for i in range(start, min(site.pages, start + 1000) if match else site.pages) if site.in_sitemap(i)]
        modified = date(2026, 1, 1)
        return head + f"<urlset {ns}>" + "".join(
            f"<url><loc>{scheme}://{host}{site.path(i)}</loc>"
            f"<lastmod>{(modified - timedelta(days=i % 400)).isoformat()}</lastmod></url>" for i in urls) + "</urlset>"

    def listing(self, site: SimSite, path: str, query: str) -> str:
        """A search or calendar page: the calendar links on to the next day without end (a crawler trap)."""
        rng = _rng(site.id, path, query)
        day = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
        links = [f'<a href="{site.prefix}kalender?datum={(day + timedelta(days=1)).isoformat()}">Nästa dag</a>']
        return self._html(site, "Kalender" if "kalender" in path else "Sök", [f"<p>Händelser {day}.</p>"], links)

    def page(self, site: SimSite, i: int) -> str:
        """Page i of a site: text, and links to its parent, children, two related pages, search (and a calendar)."""
        rng = _rng(site.id, "page", i)
        n = site.pages
        targets = {0, max(0, (i - 1) // BRANCHING)} | set(range(i * BRANCHING + 1, min(n, i * BRANCHING + BRANCHING + 1)))
        targets |= {rng.randrange(n) for _ in range(2)}
        links = [f'<a href="{site.path(j)}">{escape(_word(_rng(site.id, j), 3).capitalize())}</a>'
                 for j in sorted(targets - {i})]
        links.append(f'<a href="{site.prefix}sok?q={_word(rng)}">Sök</a>')
        if site.cms == "sitevision" and self.traps:
            links.append(f'<a href="{site.prefix}kalender?datum=2026-01-01">Kalender</a>')
        title = _word(rng, 3).capitalize()
        paragraphs = [f"<p>{' '.join(_word(rng, rng.randint(1, 3)) for _ in range(60))}.</p>" for _ in range(3)]
        if site.is_project(i):
            title = f"Projekt {title}"
            funder, partner = rng.choice(FUNDERS), rng.choice(self.partners)
            start = 2020 + rng.randrange(5)
            paragraphs.insert(0, (
                f"<p>{title} är ett projekt som ska stärka samverkan i regionen. Projektet finansieras av {funder} "
                f"och {escape(site.name)}. Projektpartner är {escape(partner)}. Projektperiod: {start}-01-01 till "
                f"{start + 2}-12-31. Projektets budget är {rng.randint(2, 40)} miljoner kronor.</p>"))
        return self._html(site, title, paragraphs, links)

    def _html(self, site: SimSite, title: str, paragraphs: list[str], links: list[str]) -> str:
        """A page in the site's CMS family's markup: header, navigation, main content, footer."""
        nav = "".join(f"<li>{link}</li>" for link in links)
        main = f"<h1>{escape(title)}</h1>{''.join(paragraphs)}"
        if site.cms == "sitevision":
            body = (f'<header class="sv-layout"><a href="{site.prefix}">{escape(site.name)}</a></header>'
                    f'<nav class="sv-vertical"><ul>{nav}</ul></nav><main class="sv-text-portlet">{main}</main>')
        elif site.cms == "episerver":
            body = (f'<header class="site-header">{escape(site.name)}</header><nav class="main-nav"><ul>{nav}</ul>'
                    f'</nav><main id="main-content"><article class="page-content">{main}</article></main>')
        elif site.cms == "wordpress":
            body = (f'<div id="page" class="site"><header id="masthead">{escape(site.name)}</header>'
                    f'<nav id="site-navigation"><ul>{nav}</ul></nav><main id="primary"><article class="post">'
                    f'<div class="entry-content">{main}</div></article></main></div>')
        else:
            body = (f'<header role="banner">{escape(site.name)}</header><nav role="navigation"><ul>{nav}</ul></nav>'
                    f'<main role="main"><div class="node__content field--name-body">{main}</div></main>')
        return (f'<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>{escape(title)} - '
                f'{escape(site.name)}</title></head><body>{body}<footer>{escape(site.name)}, växel 0771-00 00 00'
                f'</footer></body></html>')


def _certificate(directory: Path, hosts: list[str]) -> tuple[Path, Path]:
    """A self-signed certificate for the hosts, and its key (made with cryptography, which Scrapy requires)."""
    from datetime import datetime, timezone

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "simulated national web")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class _Handler(BaseHTTPRequestHandler):
    """Proxy-style handler: absolute-form GETs for http://, CONNECT then TLS for https://, Host header otherwise."""

    server: "_Server"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    tunnel_host: str | None = None

    def do_CONNECT(self) -> None:
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        self.connection = self.server.tls.wrap_socket(self.connection, server_side=True)
        self.rfile = self.connection.makefile("rb", self.rbufsize)
        self.wfile = socketserver._SocketWriter(self.connection)
        self.tunnel_host = self.path.rsplit(":", 1)[0].lower()
        self.close_connection = False

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.scheme:  # absolute form, through the proxy
            scheme, host, target = parts.scheme, parts.hostname or "", parts._replace(scheme="", netloc="").geturl()
        else:
            scheme = "https" if self.tunnel_host else "http"
            host, target = (self.tunnel_host or (self.headers.get("Host") or "").split(":")[0]), self.path
        web = self.server.web
        web.enter(host)
        try:
            status, headers, body, wait = web.respond(scheme, host, target or "/")
            time.sleep(wait)
        finally:
            web.leave(host)  # before answering: once the client has the answer, the request is no longer in flight
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read NationalWeb's counters."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512

    def __init__(self, web: NationalWeb, tls: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.web = web
        self.tls = tls


@contextmanager
def serve_national_web(web: NationalWeb) -> Iterator[str]:
    """Serve the simulated web on a loopback port during the block; yield its proxy URL `http://127.0.0.1:PORT`.

    Point crawlers at it with http_proxy and https_proxy set to that URL.
    """
    with tempfile.TemporaryDirectory(prefix="kommunarkiv-web-") as tmp:
        cert, key = _certificate(Path(tmp), sorted({h.split(":")[0] for host in web.by_host
                                                     for h in (host, f"www.{host}")}))
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert, key)
        server = _Server(web, tls)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                  name="national-web", daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


def proxy_env(proxy: str) -> dict[str, str]:
    """Environment variables that send a crawl's http:// and https:// requests to the simulated web."""
    return {"http_proxy": proxy, "https_proxy": proxy, "HTTP_PROXY": proxy, "HTTPS_PROXY": proxy, "no_proxy": "",
            "NO_PROXY": ""}
