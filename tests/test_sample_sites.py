"""The sample sites over the loopback server: links resolve, robots and sitemaps, charsets, furniture, the request log."""
from __future__ import annotations

import csv
import json
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser
from xml.etree import ElementTree

import lxml.html
import pytest

from scraper.sample_server import SAMPLE_SITES, Request, resolve, serve_sites

EXPECTED = json.loads((Path(__file__).parent / "files" / "sample_sites_expected.json").read_text("utf-8"))
SLUGS = sorted(EXPECTED)
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PAGES = [(slug, path) for slug in SLUGS
         for path in [*EXPECTED[slug]["project_pages"], *EXPECTED[slug]["non_project_pages"]]]
PROJECT_PAGES = [(slug, path) for slug in SLUGS for path in EXPECTED[slug]["project_pages"]]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class Fetched:
    """One HTTP response, redirects not followed."""

    status: int
    headers: Message
    body: bytes

    @property
    def charset(self) -> str:
        return self.headers.get_content_charset() or "utf-8"

    @property
    def text(self) -> str:
        return self.body.decode(self.charset)


def fetch(url: str, method: str = "GET") -> Fetched:
    try:
        with OPENER.open(urllib.request.Request(url, method=method), timeout=10) as response:
            return Fetched(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, error.headers, error.read())


@dataclass
class Crawl:
    """Everything reachable from `/` by following internal links (href, src, action) and redirects."""

    responses: dict[str, Fetched] = field(default_factory=dict)
    links: dict[str, set[str]] = field(default_factory=dict)  # page -> internal targets (path + query)

    def linked(self) -> set[str]:
        """Targets linked from some page other than themselves."""
        return {target for page, targets in self.links.items() for target in targets if target != page}


def local(url: str, base_url: str) -> str | None:
    """The path + query of an URL on this site, or None when it is elsewhere."""
    url = urldefrag(url).url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != base_url:
        return None
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def crawl(base_url: str) -> Crawl:
    result = Crawl()
    queue = deque(["/"])
    while queue:
        path = queue.popleft()
        if path in result.responses:
            continue
        response = result.responses[path] = fetch(base_url + path)
        targets: set[str] = set()
        if response.status in (301, 302) and (target := local(response.headers["Location"], base_url)):
            targets.add(target)
        elif response.status == 200 and response.headers.get_content_type() == "text/html":
            for _, _, link, _ in lxml.html.fromstring(response.text).iterlinks():
                if (target := local(urljoin(base_url + path, link.strip()), base_url)) is not None:
                    targets.add(target)
        result.links[path] = targets
        queue.extend(targets)
    return result


def sitemap_locs(base_url: str, path: str) -> list[str]:
    """All page URLs in a sitemap, following a sitemap index."""
    response = fetch(base_url + path)
    assert response.status == 200, path
    assert b"{{" not in response.body
    root = ElementTree.fromstring(response.body)
    if root.tag == f"{SITEMAP_NS}sitemapindex":
        subs = [loc.text for loc in root.iter(f"{SITEMAP_NS}loc")]
        assert len(subs) >= 2
        return [url for sub in subs for url in sitemap_locs(base_url, local(sub, base_url))]
    assert root.tag == f"{SITEMAP_NS}urlset"
    return [loc.text for loc in root.iter(f"{SITEMAP_NS}loc")]


@pytest.fixture(scope="module")
def sites():
    with serve_sites() as running:
        yield running


@pytest.fixture(scope="module")
def crawls(sites) -> dict[str, Crawl]:
    return {slug: crawl(site.base_url) for slug, site in sites.items()}


def test_serves_every_site_on_its_own_loopback_port(sites):
    assert sorted(sites) == SLUGS
    ports = {urlsplit(site.base_url).port for site in sites.values()}
    assert len(ports) == len(SLUGS)
    for slug, site in sites.items():
        assert site.base_url.startswith("http://127.0.0.1:") and site.slug == slug and site.root.name == slug


@pytest.mark.parametrize("slug", SLUGS)
def test_every_internal_link_resolves_except_deliberate_ones(crawls, slug):
    statuses = {path: r.status for path, r in crawls[slug].responses.items()}
    broken = {path for path, status in statuses.items() if status not in (200, 301)}
    assert broken == set(EXPECTED[slug]["broken_links"])
    assert all(statuses[path] == 404 for path in broken)


@pytest.mark.parametrize("slug", SLUGS)
def test_links_reach_all_pages_but_the_sitemap_only_ones(crawls, slug):
    expected = EXPECTED[slug]
    linked = crawls[slug].linked()
    pages = {*expected["project_pages"], *expected["non_project_pages"]} - {"/"}
    assert expected["sitemap_only"] and expected["link_only"]
    assert pages - set(expected["sitemap_only"]) <= linked
    assert not set(expected["sitemap_only"]) & linked


@pytest.mark.parametrize("slug", SLUGS)
def test_some_links_point_into_disallowed_paths(crawls, slug):
    linked = crawls[slug].linked()
    assert "/sok?q=projekt" in linked
    disallowed = [p for p in linked for prefix in EXPECTED[slug]["disallowed_paths"] if p.startswith(prefix)]
    assert any(not p.startswith("/sok") for p in disallowed)


@pytest.mark.parametrize("slug", SLUGS)
def test_robots_txt_has_base_url_and_disallows(sites, slug):
    base, expected = sites[slug].base_url, EXPECTED[slug]
    response = fetch(f"{base}/robots.txt")
    assert response.status == 200 and response.headers.get_content_type() == "text/plain"
    assert "{{" not in response.text
    assert f"Sitemap: {base}{expected['sitemap']}" in response.text.splitlines()
    robots = RobotFileParser()
    robots.parse(response.text.splitlines())
    for prefix in expected["disallowed_paths"]:
        assert not robots.can_fetch("kommunarkiv", base + prefix)
    assert not robots.can_fetch("kommunarkiv", f"{base}/sok?q=projekt")
    for _, path in (p for p in PAGES if p[0] == slug):
        assert robots.can_fetch("kommunarkiv", base + path), path


@pytest.mark.parametrize("slug", SLUGS)
def test_sitemap_lists_every_page_but_the_link_only_ones(sites, slug):
    base, expected = sites[slug].base_url, EXPECTED[slug]
    locs = sitemap_locs(base, expected["sitemap"])
    assert all(loc.startswith(base + "/") for loc in locs)
    paths = {local(loc, base) for loc in locs}
    pages = {*expected["project_pages"], *expected["non_project_pages"]}
    assert paths == pages - set(expected["link_only"])
    assert set(expected["sitemap_only"]) <= paths


def test_one_site_uses_a_sitemap_index():
    assert "/wp-sitemap.xml" in {expected["sitemap"] for expected in EXPECTED.values()}


@pytest.mark.parametrize(("slug", "path"), PAGES)
def test_page_is_html_and_head_matches_get(sites, slug, path):
    url = sites[slug].base_url + path
    got, head = fetch(url), fetch(url, "HEAD")
    assert got.status == head.status == 200
    assert got.headers.get_content_type() == "text/html"
    assert head.body == b"" and head.headers["Content-Length"] == str(len(got.body))
    assert "{{" not in got.text


@pytest.mark.parametrize(("slug", "path"), PAGES)
def test_page_has_cms_furniture(sites, slug, path):
    response = fetch(sites[slug].base_url + path)
    html = response.text
    tree = lxml.html.fromstring(html)
    assert "{{" not in html
    assert any(urlsplit(action).path == "/sok" for action in tree.xpath("//form/@action"))
    assert "Telefon växel:" in html and ("kommun@" in html or "info@" in html)
    assert "cookie" in html.lower()
    assert "Sidinformation" in html
    dates = EXPECTED[slug]["page_dates"][path]
    assert dates["published"] in html and dates["updated"] in html
    if path != "/":
        assert tree.xpath("//*[contains(@class, 'breadcrumb') or @id='breadcrumbs']")


@pytest.mark.parametrize(("slug", "path"), PROJECT_PAGES)
def test_expected_project_facts_are_on_the_page(sites, slug, path):
    text = " ".join(lxml.html.fromstring(fetch(sites[slug].base_url + path).text).text_content().split()).lower()
    for project in EXPECTED[slug]["project_pages"][path]["projects"]:
        assert project["title"].lower() in text
        for aliases in project["funders"] + project["partners"]:
            assert any(alias.lower() in text for alias in aliases), aliases
        for contact in project["contacts"]:
            assert contact["name"].lower() in text
            if contact["email"]:
                email = contact["email"].lower()
                assert email in text or email.replace("@", "(at)") in text


def test_iso_8859_1_page_is_served_with_its_charset(sites):
    pages = [(slug, path) for slug in SLUGS for path in EXPECTED[slug]["iso_8859_1_pages"]]
    assert pages
    for slug, path in pages:
        response = fetch(sites[slug].base_url + path)
        assert response.headers["Content-Type"] == "text/html; charset=iso-8859-1"
        with pytest.raises(UnicodeDecodeError):
            response.body.decode("utf-8")
        text = response.body.decode("iso-8859-1")
        assert '<meta charset="iso-8859-1">' in text
        assert all(letter in text for letter in "åäöÖ")


def test_malformed_page_is_still_readable(sites):
    pages = [(slug, path) for slug in SLUGS for path in EXPECTED[slug]["malformed_pages"]]
    assert pages
    for slug, path in pages:
        html = fetch(sites[slug].base_url + path).text
        assert html.count("</div>") > html.count("<div")
        text = lxml.html.fromstring(html).text_content()
        for title in EXPECTED[slug]["project_pages"][path]["titles"]:
            assert title in text


@pytest.mark.parametrize("slug", [slug for slug in SLUGS if EXPECTED[slug]["redirects"]])
def test_redirects_from_server_json(sites, slug):
    base = sites[slug].base_url
    for source, target in EXPECTED[slug]["redirects"].items():
        response = fetch(base + source)
        assert response.status == 301 and response.headers["Location"] == base + target


@pytest.mark.parametrize("path", ["/finns-inte", "/finns-inte/", "/_server.json", "/_404.html", "/../README.md",
                                  "/%2e%2e/README.md"])
def test_missing_hidden_and_outside_paths_are_404(sites, path):
    response = fetch(sites["ovanaker"].base_url + path)
    assert response.status == 404 and response.headers.get_content_type() == "text/html"
    assert "Sidan hittades inte" in response.text and "{{" not in response.text


def test_request_log_records_method_path_and_status():
    with serve_sites(slugs=["gallivare"]) as running:
        site = running["gallivare"]
        fetch(f"{site.base_url}/?utm_source=test")
        fetch(f"{site.base_url}/kontakta-oss.html", "HEAD")
        fetch(f"{site.base_url}/finns-inte")
        assert [request[:3] for request in site.requests] == [
            Request("GET", "/?utm_source=test", 200)[:3], Request("HEAD", "/kontakta-oss.html", 200)[:3],
            Request("GET", "/finns-inte", 404)[:3]]
        times = [request.at for request in site.requests]
        assert times == sorted(times) and times[0] > 0
        assert site.requests.paths == ["/?utm_source=test", "/kontakta-oss.html", "/finns-inte"]
        site.requests.clear()
        assert len(site.requests) == 0


def test_resolve_maps_paths_to_files(tmp_path):
    for name in ["index.html", "a/index.html", "a/b.html", "c/d/index.html", "e.css", "_hidden.html"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    root = tmp_path.resolve()
    assert resolve(tmp_path, "/") == root / "index.html"
    assert resolve(tmp_path, "/a/") == root / "a/index.html"
    assert resolve(tmp_path, "/a") == root / "a/index.html"
    assert resolve(tmp_path, "/a/b") == root / "a/b.html"
    assert resolve(tmp_path, "/a/b.html") == root / "a/b.html"
    assert resolve(tmp_path, "/c/d") == root / "c/d/index.html"
    assert resolve(tmp_path, "/e.css") == root / "e.css"
    assert resolve(tmp_path, "/_hidden") is None
    assert resolve(tmp_path, "/../x") is None


def test_sites_csv_names_every_site():
    with (SAMPLE_SITES / "sites.csv").open(encoding="utf-8", newline="") as handle:
        rows = {row["slug"]: row for row in csv.DictReader(handle)}
    assert sorted(rows) == SLUGS
    for slug, row in rows.items():
        assert (row["kommunkod"], row["name"]) == (EXPECTED[slug]["kommunkod"], EXPECTED[slug]["name"])
