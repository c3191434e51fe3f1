"""What hostile or broken servers do, replayed from 127.0.0.1: robots.txt failing (RFC 9309), Crawl-delay,
corrupt and bomb sitemaps, a legal 49,001-URL sitemap, redirect loops and self-redirects, bombs and oversize
bodies. Every loss must be a crawl_errors row with its kind and a WARNING line; nothing disallowed is fetched."""
from __future__ import annotations

import gzip
import json
import os
import sqlite3
from pathlib import Path

import pytest

from conftest import run_crawl
from test_cfemail import cf_encode
from scraper.sample_server import serve_sites

pytestmark = pytest.mark.slow

PAGE = ("<!DOCTYPE html><html lang='sv'><head><meta charset='utf-8'>{head}<title>{title}</title></head>"
        "<body><main><h1>{title}</h1>{body}</main></body></html>")
BIG_SITEMAP_URLS = 49_001
CF_ADDRESS = "projektledare@exempel.se"


def page(title: str, body: str = "", head: str = "") -> str:
    return PAGE.format(title=title, body=body or "<p>Text.</p>", head=head)


def links(*hrefs: str) -> str:
    return "".join(f'<p><a href="{href}">{href}</a></p>' for href in hrefs)


def write(root: Path, slug: str, files: dict[str, str | bytes], overrides: dict | None = None) -> None:
    site = root / slug
    for name, content in files.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    if overrides:
        (site / "_server.json").write_text(json.dumps(overrides), "utf-8")


def zeros_gzip(size: int) -> bytes:
    """A gzip bomb: `size` zero bytes, compressed about a thousandfold."""
    return gzip.compress(b"\0" * size, compresslevel=9)


def sites_csv(path: Path, servers) -> Path:
    rows = [f"{server.base_url}/,{slug}" for slug, server in servers.items()]
    path.write_text("url,name\n" + "\n".join(rows) + "\n", "utf-8")
    return path


def crawl_errors(db: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(db)
    rows = conn.execute("select url, kind, message from crawl_errors").fetchall()
    conn.close()
    return rows


def stored_urls(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    urls = {url for (url,) in conn.execute("select url from pages")}
    conn.close()
    return urls


@pytest.fixture(scope="module")
def robots_crawl(tmp_path_factory):
    """Four sites whose robots.txt answers 500, 503, too late, and 404; one crawl over all of them."""
    tmp = tmp_path_factory.mktemp("robots")
    home = page("Start", links("/hemlig", "/sida"))
    for slug, robots in (("err500", {"status": 500}), ("err503", {"status": 503}),
                         ("slow", {"delay": 4}), ("missing", {"status": 404})):
        files = {"index.html": home, "hemlig.html": page("Hemlig"), "sida.html": page("Sida")}
        if slug == "slow":
            files["robots.txt"] = "User-agent: *\nDisallow: /hemlig\n"
        write(tmp / "sites", slug, files, {"/robots.txt": robots})
    with serve_sites(tmp / "sites") as servers:
        result = run_crawl(sites_csv(tmp / "sites.csv", servers), tmp / "archive.db",
                           env={"KOMMUNARKIV_DOWNLOAD_TIMEOUT": "1.5"})
        requests = {slug: [r.path for r in server.requests] for slug, server in servers.items()}
    return {"result": result, "db": tmp / "archive.db", "requests": requests}


def test_robots_5xx_and_unreachable_mean_nothing_fetched(robots_crawl):
    for slug in ("err500", "err503", "slow"):
        paths = robots_crawl["requests"][slug]
        assert paths and set(paths) == {"/robots.txt"}, (slug, paths)


def test_robots_failures_recorded_and_logged(robots_crawl):
    kinds = {url.split("/")[2]: kind for url, kind, _ in crawl_errors(robots_crawl["db"]) if url.endswith("/robots.txt")}
    assert sorted(kinds.values()) == ["robots_5xx", "robots_5xx", "robots_unreachable"]
    log = robots_crawl["result"].stderr
    assert log.count("the whole site is disallowed this run (RFC 9309)") == 3
    assert "Traceback" not in log


def test_robots_4xx_allows_all_and_is_fetched_once(robots_crawl):
    paths = robots_crawl["requests"]["missing"]
    assert paths.count("/robots.txt") == 1
    assert {"/", "/hemlig", "/sida"} <= set(paths)


def test_crawl_delay_is_obeyed_even_with_autothrottle(tmp_path):
    files = {"index.html": page("Start", links("/a", "/b", "/c")), "a.html": page("A"), "b.html": page("B"),
             "c.html": page("C"), "robots.txt": "User-agent: *\nCrawl-delay: 2\n"}
    write(tmp_path / "sites", "polite", files)
    with serve_sites(tmp_path / "sites") as servers:
        result = run_crawl(sites_csv(tmp_path / "sites.csv", servers), tmp_path / "archive.db",
                           env={"KOMMUNARKIV_AUTOTHROTTLE": "1", "KOMMUNARKIV_DOWNLOAD_DELAY": "0.2"})
        requests = [r for r in servers["polite"].requests if r.path != "/robots.txt"]
        robots_fetches = [r for r in servers["polite"].requests if r.path == "/robots.txt"]
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(robots_fetches) == 1
    assert {r.path for r in requests} >= {"/", "/a", "/b", "/c"}
    gaps = [later.at - earlier.at for earlier, later in zip(requests, requests[1:])]
    assert min(gaps) >= 1.9, gaps  # 2 s apart, less the loopback's scheduling jitter
    assert "asks for Crawl-delay 2" in result.stderr


def test_crawl_delay_beyond_the_cap_is_capped_and_logged(tmp_path):
    files = {"index.html": page("Start", links("/a")), "a.html": page("A"),
             "robots.txt": "User-agent: *\nCrawl-delay: 3600\n"}
    write(tmp_path / "sites", "greedy", files)
    with serve_sites(tmp_path / "sites") as servers:
        result = run_crawl(sites_csv(tmp_path / "sites.csv", servers), tmp_path / "archive.db",
                           env={"KOMMUNARKIV_MAX_CRAWL_DELAY": "1"})
        paths = [r.path for r in servers["greedy"].requests]
    assert result.returncode == 0, result.stderr[-2000:]
    assert "capped at 1.0 s" in result.stderr
    assert "/a" in paths


@pytest.fixture(scope="module")
def lossy_crawl(tmp_path_factory):
    """A site of sitemaps (corrupt gzip, gzip bomb, 49,001 URLs) and a site of losses (self-redirect, loop,
    long chain, self-refresh, gzip bomb page, oversize page), crawled together."""
    tmp = tmp_path_factory.mktemp("lossy")
    big = "".join(f"<url><loc>{{{{BASE_URL}}}}/s/{n:05d}-{'x' * 150}</loc></url>" for n in range(BIG_SITEMAP_URLS))
    sitemap_files = {
        "index.html": page("Kartor"),
        "robots.txt": "User-agent: *\nSitemap: {{BASE_URL}}/trasig.xml.gz\nSitemap: {{BASE_URL}}/bomb.xml.gz\n"
                      "Sitemap: {{BASE_URL}}/stor.xml\nSitemap: {{BASE_URL}}/overfull.xml\n",
        "overfull.xml": '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                        + "".join(f"<url><loc>http://elsewhere.invalid/{n}</loc></url>" for n in range(50_001))
                        + "</urlset>",
        "trasig.xml.gz": b"\x1f\x8b\x08\x00" + os.urandom(2000),
        "bomb.xml.gz": zeros_gzip(60 * 1024 * 1024),
        "stor.xml": f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{big}</urlset>',
    }
    for n in range(40):
        sitemap_files[f"s/{n:05d}-{'x' * 150}.html"] = page(f"Sida {n}")
    write(tmp / "sites", "kartor", sitemap_files)
    chain = {f"/kedja/{n}": {"status": 302, "headers": {"Location": f"/kedja/{n + 1}"}} for n in range(20)}
    write(tmp / "sites", "forluster", {
        "index.html": page("Start", links("/sjalv", "/loop-a", "/kedja/0", "/uppdatera", "/bomb", "/stor", "/kontakt")),
        "kontakt.html": page("Kontakt", f'<p>E-post: <a href="/cdn-cgi/l/email-protection" class="__cf_email__" '
                                        f'data-cfemail="{cf_encode(CF_ADDRESS)}">[email&#160;protected]</a></p>'),
        "uppdatera.html": page("Uppdateras", head="<meta http-equiv='refresh' content='0; url=/uppdatera'>"),
        "bomb.html": zeros_gzip(11 * 1024 * 1024),
        "stor.html": page("Stor", "<p>" + "a" * (11 * 1024 * 1024) + "</p>"),
    }, {"/sjalv": {"status": 301, "headers": {"Location": "/sjalv"}},
        "/loop-a": {"status": 302, "headers": {"Location": "/loop-b"}},
        "/loop-b": {"status": 302, "headers": {"Location": "/loop-a"}},
        "/bomb": {"headers": {"Content-Encoding": "gzip"}}, **chain})
    with serve_sites(tmp / "sites") as servers:
        result = run_crawl(sites_csv(tmp / "sites.csv", servers), tmp / "archive.db", "--max-pages", "60")
        bases = {slug: server.base_url for slug, server in servers.items()}
    return {"result": result, "db": tmp / "archive.db", "bases": bases}


def lossy_errors(lossy_crawl) -> dict[str, str]:
    bases = lossy_crawl["bases"]
    return {url.replace(bases["kartor"], "").replace(bases["forluster"], ""): kind
            for url, kind, _ in crawl_errors(lossy_crawl["db"])}


def test_crawl_goes_on_without_traceback(lossy_crawl):
    result = lossy_crawl["result"]
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr


def test_bad_sitemaps_recorded_with_their_kind(lossy_crawl):
    errors = lossy_errors(lossy_crawl)
    assert errors.get("/trasig.xml.gz") == "sitemap_gzip"
    assert errors.get("/bomb.xml.gz") == "sitemap_too_large"
    assert errors.get("/overfull.xml") == "sitemap_too_many_urls"  # 50,001 URLs: one past the protocol's limit
    assert "/stor.xml" not in errors


def test_a_legal_sitemap_beyond_the_page_limit_is_crawled(lossy_crawl):
    base = lossy_crawl["bases"]["kartor"]
    from_sitemap = [url for url in stored_urls(lossy_crawl["db"]) if url.startswith(base + "/s/")]
    assert len(from_sitemap) >= 40  # every page the sitemap names that the site serves


def test_redirect_losses_recorded(lossy_crawl):
    errors = lossy_errors(lossy_crawl)
    assert errors.get("/sjalv") == "self_redirect"
    assert errors.get("/loop-a") == "redirect_loop"
    assert errors.get("/kedja/0") == "redirect_chain"


def test_bomb_and_oversize_pages_recorded(lossy_crawl):
    errors = lossy_errors(lossy_crawl)
    assert errors.get("/bomb") == "too_large"
    assert errors.get("/stor") == "too_large"


def test_self_refreshing_page_is_kept(lossy_crawl):
    assert lossy_crawl["bases"]["forluster"] + "/uppdatera" in stored_urls(lossy_crawl["db"])


def test_every_loss_has_a_warning_line(lossy_crawl):
    log = lossy_crawl["result"].stderr
    for kind in ("self_redirect", "redirect_loop", "redirect_chain", "too_large", "sitemap_gzip", "sitemap_too_large",
                 "sitemap_too_many_urls"):
        assert any("WARNING" in line and kind in line for line in log.splitlines()), kind


def test_cloudflare_protected_address_is_decoded_into_the_page_text(lossy_crawl):
    conn = sqlite3.connect(lossy_crawl["db"])
    text = conn.execute("select text from pages where url = ?", [lossy_crawl["bases"]["forluster"] + "/kontakt"]
                        ).fetchone()[0]
    conn.close()
    assert CF_ADDRESS in text and "protected" not in text
