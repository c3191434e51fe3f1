"""Serve the bundled sample sites on loopback: one small HTTP server per site, each on its own ephemeral port."""
from __future__ import annotations

import hashlib
import json
import mimetypes
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

SAMPLE_SITES = Path(__file__).parent / "sample_sites"
PLACEHOLDER = "{{BASE_URL}}"
SUBSTITUTED = frozenset({".html", ".htm", ".xml", ".txt"})
OVERRIDES = "_server.json"  # per-path status, headers and delay (seconds), keyed by URL path without query
NOT_FOUND = "_404.html"  # optional per-site body for 404 responses
TEXT_TYPES = frozenset({"application/xml", "application/javascript", "image/svg+xml"})


class Request(NamedTuple):
    """One request as the server saw it: method, path with query, the status sent and when (monotonic seconds)."""

    method: str
    path: str
    status: int = 0
    at: float = 0.0


class RequestLog:
    """A thread-safe log of requests, in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Request] = []

    def append(self, request: Request) -> None:
        """Record one request."""
        with self._lock:
            self._items.append(request)

    def clear(self) -> None:
        """Forget all recorded requests."""
        with self._lock:
            self._items.clear()

    @property
    def paths(self) -> list[str]:
        """The requested paths (with query), in order."""
        return [r.path for r in self]

    def __iter__(self) -> Iterator[Request]:
        with self._lock:
            return iter(list(self._items))

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


@dataclass
class Response:
    """What the handler sends back: status, headers and body."""

    status: int
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class SiteServer:
    """One sample site served on its own port."""

    slug: str
    root: Path
    base_url: str = ""
    requests: RequestLog = field(default_factory=RequestLog)
    overrides: dict[str, dict] = field(default_factory=dict)
    conditional: bool = True  # send ETag / Last-Modified and answer conditional GETs with 304
    delay: float = 0.0  # seconds each answer waits: a slow site

    def respond(self, target: str, request_headers: Mapping[str, str] | None = None) -> Response:
        """Build the response for a request target such as `/a/b?q=1`."""
        path = urlsplit(target).path or "/"
        override = self.overrides.get(path, {})
        file = resolve(self.root, path)
        if file is not None:
            body = file.read_bytes()
            response = Response(200, {"Content-Type": content_type(file)},
                                self.substitute(body) if file.suffix in SUBSTITUTED else body)
        elif "status" in override:
            response = Response(override["status"], {})
        else:
            response = Response(404, {"Content-Type": "text/html; charset=utf-8"}, self._not_found())
        response.status = override.get("status", response.status)
        for name, value in override.get("headers", {}).items():
            response.headers = {k: v for k, v in response.headers.items() if k.lower() != name.lower()}
            response.headers[name] = self.substitute(value.encode()).decode()
        if file is not None and response.status == 200 and self.conditional:
            return conditional(response, file, request_headers or {})
        return response

    def substitute(self, data: bytes) -> bytes:
        """Replace the base-URL placeholder with this server's base URL."""
        return data.replace(PLACEHOLDER.encode(), self.base_url.encode())

    def _not_found(self) -> bytes:
        page = self.root / NOT_FOUND
        if page.is_file():
            return self.substitute(page.read_bytes())
        return b"<!DOCTYPE html><html lang='sv'><head><title>404</title></head><body><h1>Sidan finns inte</h1></body></html>"


def conditional(response: Response, file: Path, request_headers: Mapping[str, str]) -> Response:
    """Add ETag (of the body) and Last-Modified (the file's mtime); answer 304 when the client's copy is current."""
    etag = '"' + hashlib.sha1(response.body).hexdigest()[:20] + '"'
    modified = int(file.stat().st_mtime)
    response.headers.update({"ETag": etag, "Last-Modified": formatdate(modified, usegmt=True)})
    if_none_match, if_modified_since = request_headers.get("If-None-Match"), request_headers.get("If-Modified-Since")
    if if_none_match is not None:
        current = etag in [tag.strip() for tag in if_none_match.split(",")]
    else:
        try:
            current = bool(if_modified_since) and parsedate_to_datetime(if_modified_since).timestamp() >= modified
        except (TypeError, ValueError):
            current = False
    return Response(304, {"ETag": etag, "Last-Modified": response.headers["Last-Modified"]}) if current else response


def resolve(root: Path, url_path: str) -> Path | None:
    """Map a URL path to a file: `/` and `/a/` to index.html, `/a/b` to `a/b`, `a/b.html` or `a/b/index.html`."""
    rel = unquote(url_path).lstrip("/")
    if rel == "" or rel.endswith("/"):
        candidates = [rel + "index.html"]
    else:
        candidates = [rel, rel + ".html", rel + "/index.html"]
    base = root.resolve()
    for candidate in candidates:
        file = (base / candidate).resolve()
        if (file.is_relative_to(base) and file.is_file()
                and not any(part.startswith("_") for part in file.relative_to(base).parts)):
            return file
    return None


def content_type(file: Path) -> str:
    """The Content-Type for a file, by extension; text types are UTF-8."""
    guessed = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if guessed.startswith("text/") or guessed in TEXT_TYPES:
        return f"{guessed}; charset=utf-8"
    return guessed


class SampleHandler(BaseHTTPRequestHandler):
    """Answers GET and HEAD from the site attached to the server; logs every request."""

    server: _SiteHTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in two sends: with Nagle on, each keep-alive answer stalls ~40 ms
    server_version = "kommunarkiv-sample/1.0"

    def do_GET(self) -> None:
        """Send headers and body."""
        self._send(with_body=True)

    def do_HEAD(self) -> None:
        """Send headers only."""
        self._send(with_body=False)

    def _send(self, with_body: bool) -> None:
        site = self.server.site
        delay = site.overrides.get(urlsplit(self.path).path or "/", {}).get("delay")
        if delay:  # a slow server: answer only after this many seconds
            time.sleep(delay)
        response = site.respond(self.path, self.headers)
        site.requests.append(Request(self.command, self.path, response.status, time.monotonic()))
        if site.delay:
            time.sleep(site.delay)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if with_body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: tests and demos read `SiteServer.requests` instead."""


class _SiteHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: SiteServer, host: str, port: int = 0) -> None:
        super().__init__((host, port), SampleHandler)
        self.site = site


def site_slugs(root: Path = SAMPLE_SITES) -> list[str]:
    """The sites under root: every folder with an index.html."""
    return sorted(p.name for p in root.iterdir() if (p / "index.html").is_file())


@contextmanager
def serve_sites(root: Path = SAMPLE_SITES, slugs: Iterable[str] | None = None, host: str = "127.0.0.1",
                first_port: int = 0) -> Iterator[dict[str, SiteServer]]:
    """Serve each site under root on its own port (first_port, first_port + 1, ...; 0: ephemeral) during the block."""
    running: list[tuple[_SiteHTTPServer, threading.Thread]] = []
    sites: dict[str, SiteServer] = {}
    try:
        for index, slug in enumerate(slugs if slugs is not None else site_slugs(root)):
            site_root = root / slug
            overrides_file = site_root / OVERRIDES
            overrides = json.loads(overrides_file.read_text("utf-8")) if overrides_file.is_file() else {}
            site = SiteServer(slug, site_root, overrides=overrides)
            httpd = _SiteHTTPServer(site, host, first_port + index if first_port else 0)
            site.base_url = f"http://{host}:{httpd.server_address[1]}"
            thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                      name=f"sample-site-{slug}", daemon=True)
            thread.start()
            running.append((httpd, thread))
            sites[slug] = site
        yield sites
    finally:
        for httpd, thread in running:
            httpd.shutdown()
            httpd.server_close()
            thread.join()


def serve_forever(root: Path = SAMPLE_SITES, slugs: Iterable[str] | None = None, host: str = "127.0.0.1") -> None:
    """Serve the sites and print their URLs until interrupted (Ctrl-C)."""
    with serve_sites(root, slugs, host) as sites:
        for site in sites.values():
            print(f"{site.slug:<12} {site.base_url}/", flush=True)
        print("Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    serve_forever(slugs=sys.argv[1:] or None)
