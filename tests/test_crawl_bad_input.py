"""Bad input during a crawl is logged, recorded and skipped; the crawl goes on and the archive stays consistent."""
from __future__ import annotations

import json
import socket
import sqlite3

import pytest

from conftest import run_crawl
from scraper.sample_server import serve_sites

PAGE = """<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>{title} - Testby kommun</title></head>
<body><header><nav><a href="/">Start</a></nav></header><main><h1>{title}</h1>{body}</main>
<footer>Telefon växel: 0100-10 00 00</footer></body></html>"""


def write_site(root):
    """A small site full of traps: a 500, a 404 link, a PDF behind an extensionless URL, broken HTML, a Latin-1 page, a broken sitemap."""
    site = root / "testby"
    site.mkdir(parents=True)
    links = "".join(f'<p><a href="{href}">{href}</a></p>' for href in
                    ("/trasig", "/latin", "/fel", "/saknas", "/rapport"))
    (site / "index.html").write_text(PAGE.format(title="Välkommen", body=links), "utf-8")
    (site / "trasig.html").write_text("<html><body><main><h1>Trasig sida<p>Första stycket<div>Andra</span></p>"
                                      "<p>Projektet finansieras av Tillväxtverket.", "utf-8")
    latin = PAGE.replace('charset="utf-8"', 'charset="iso-8859-1"').format(
        title="Älvdalens åtgärder", body="<p>Projektet pågår i Överkalix och Åsele under 2024.</p>")
    (site / "latin.html").write_bytes(latin.encode("iso-8859-1"))
    (site / "rapport").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n")
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /sok\nSitemap: {{BASE_URL}}/sitemap.xml\n", "utf-8")
    (site / "sitemap.xml").write_text("<?xml version='1.0'?><urlset><url><loc>{{BASE_URL}}/la", "utf-8")
    (site / "_server.json").write_text(json.dumps({
        "/fel": {"status": 500},
        "/rapport": {"headers": {"Content-Type": "application/pdf"}},
        "/latin": {"headers": {"Content-Type": "text/html; charset=iso-8859-1"}},
    }), "utf-8")


def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def bad_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad")
    write_site(tmp / "sites")
    with serve_sites(tmp / "sites") as servers:
        base = servers["testby"].base_url
        sites_csv = tmp / "sites.csv"
        sites_csv.write_text(f"url,name\n{base}/,Testby kommun\nhttp://127.0.0.1:{closed_port()}/,Död kommun\n", "utf-8")
        result = run_crawl(sites_csv, tmp / "archive.db")
    conn = sqlite3.connect(tmp / "archive.db")
    conn.row_factory = sqlite3.Row
    yield {"result": result, "db": conn, "base": base}
    conn.close()


def errors(bad_crawl) -> dict[str, str]:
    return {row["url"].replace(bad_crawl["base"], ""): row["kind"] for row in bad_crawl["db"].execute("select * from crawl_errors")}


def test_crawl_finishes_despite_bad_input_and_reports_the_dead_site_broken(bad_crawl):
    result = bad_crawl["result"]
    assert result.returncode == 3, result.stderr[-2000:]  # 3: finished, but a site looks broken
    assert "BROKEN site" in result.stderr and "every page an error" in result.stderr
    run = bad_crawl["db"].execute("select status, pages_fetched, broken_sites from crawl_runs").fetchone()
    assert run["status"] == "finished" and run["pages_fetched"] >= 3
    assert len(json.loads(run["broken_sites"])) == 1


def test_http_errors_and_dead_site_are_recorded_with_their_kind(bad_crawl):
    found = errors(bad_crawl)
    assert found.get("/fel") == "http_5xx"
    assert found.get("/saknas") == "http_4xx"
    # a dead host's robots.txt is unreachable: RFC 9309 disallows the whole site, recorded with that kind
    assert any(kind == "robots_unreachable" for url, kind in found.items() if url.startswith("http://127.0.0.1"))


def test_clear_messages_in_the_log(bad_crawl):
    log = bad_crawl["result"].stderr
    assert "HTTP 500" in log and "HTTP 404" in log and "robots.txt connection refused" in log
    assert "Skipping malformed sitemap" in log or "not a sitemap" in log
    assert "Skipping non-HTML response" in log


def test_non_html_is_not_stored_as_a_page(bad_crawl):
    urls = [row["url"] for row in bad_crawl["db"].execute("select url from pages")]
    assert not any(url.endswith("/rapport") for url in urls)


def test_malformed_html_is_read(bad_crawl):
    row = bad_crawl["db"].execute("select * from pages where url = ?", [bad_crawl["base"] + "/trasig"]).fetchone()
    assert row["title"] == "Trasig sida" and "Andra" in row["text"]


def test_latin1_page_keeps_swedish_letters(bad_crawl):
    row = bad_crawl["db"].execute("select * from pages where url = ?", [bad_crawl["base"] + "/latin"]).fetchone()
    assert row["title"] == "Älvdalens åtgärder"
    assert "Överkalix och Åsele" in row["text"]


def test_archive_stays_consistent(bad_crawl):
    db = bad_crawl["db"]
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("pragma foreign_key_check").fetchall() == []
    assert db.execute("select count(*) from pages").fetchone()[0] == 3  # home, broken page, Latin-1 page
