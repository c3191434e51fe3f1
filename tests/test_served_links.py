"""Every address the README gives, the front page links to, and `serve` prints answers for an archive of any file
name (Datasette serves a database under its file stem: kommuner.db at /kommuner, not /archive)."""
from __future__ import annotations

import asyncio
import html
import re
import urllib.parse
from pathlib import Path

import pytest
from datasette.app import Datasette

from conftest import REPO, fetch, inprocess_datasette, serve_archive
from scraper.publish import archive_urls
from test_publish import build_archive

README = REPO / "README.md"
# Paths the README gives as examples of a database's place (`/archive/...`) or of a prefix (`/-/`), not links.
PREFIX_RE = re.compile(r"/\.\.\.$|^/-/$")


def readme_links() -> list[str]:
    """The site paths the README quotes: `/archive/...` (the default archive), `/kommuner/...` (its example of
    another file name) and `/-/...` (the plugins' pages)."""
    quoted = re.findall(r"`(/[^`\s]*)`", README.read_text("utf-8"))
    return sorted({path for path in quoted if re.match(r"/(archive|kommuner|-)/", path) and not PREFIX_RE.search(path)})


def for_database(path: str, name: str, project_id: str) -> str:
    """A README path made concrete for the database `name`: its place, a project id, a search word."""
    path = re.sub(r"^/(archive|kommuner)/", f"/{name}/", path)
    return path.replace("<id>", project_id).replace("q=...", "q=turism")


def get(ds: Datasette, path: str):
    return asyncio.run(ds.client.get(path))


@pytest.fixture(scope="module", params=["archive", "kommuner"])
def datasette(request, tmp_path_factory: pytest.TempPathFactory) -> Datasette:
    """Datasette as `serve` configures it, on an archive file named archive.db, then one named kommuner.db."""
    return inprocess_datasette(build_archive(tmp_path_factory.mktemp("links") / f"{request.param}.db"))


def test_the_readme_quotes_its_addresses_and_says_how_they_follow_the_file_name() -> None:
    links = readme_links()
    assert {"/archive/project_overview", "/-/sok", "/-/map", "/-/chart"} <= set(links) and len(links) >= 8
    text = re.sub(r"\s+", " ", README.read_text("utf-8"))
    assert "names a database after its file's stem" in text and "`--db kommuner.db` is served at `/kommuner/...`" in text


def test_every_readme_address_answers(datasette: Datasette) -> None:
    name = next(iter(datasette.databases.keys() - {"_internal"}))
    project_id = str(asyncio.run(datasette.get_database(name).execute("select id from projects limit 1")).first()[0])
    failures = {}
    for link in readme_links():
        path = for_database(link, name, project_id)
        response = get(datasette, path)
        if response.status_code != 200:
            failures[path] = response.status_code
    assert not failures, f"README addresses that do not answer for {name}.db: {failures}"


def site_links(text: str) -> set[str]:
    """The same-site links (href="/...") of a page."""
    return {html.unescape(href) for href in re.findall(r'href="(/[^"#]*)"', text)}


def test_every_link_on_the_front_page_and_the_plugin_pages_answers(datasette: Datasette) -> None:
    front = get(datasette, "/")
    assert front.status_code == 200
    links = site_links(front.text)
    name = next(iter(datasette.databases.keys() - {"_internal"}))
    assert f"/{name}/project_overview" in links and "/-/sok" in links
    for page in ("/-/sok", "/-/sok?q=turism", "/-/map", "/-/chart"):
        links |= site_links(get(datasette, page).text)
    assert any(link.startswith(f"/{name}/project_overview?") for link in links)  # the map's and chart's links
    failures = {link: status for link in sorted(links) if (status := get(datasette, link).status_code) != 200}
    assert not failures, failures


@pytest.mark.parametrize("file_name", ["archive.db", "kommuner.db", "arkiv 2025.db"])
def test_the_printed_addresses_are_the_served_ones(tmp_path: Path, file_name: str) -> None:
    db = build_archive(tmp_path / file_name)
    urls = archive_urls(db, "127.0.0.1", 8001)
    datasette = inprocess_datasette(db)
    for url in urls.values():
        assert url.startswith("http://127.0.0.1:8001/")
        assert get(datasette, url.removeprefix("http://127.0.0.1:8001")).status_code == 200, url


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """A real `kommunarkiv serve` on an archive named kommuner.db: (base URL, its log)."""
    directory = tmp_path_factory.mktemp("served")
    with serve_archive(build_archive(directory / "kommuner.db"), directory / "serve.log") as base:
        yield base, directory / "serve.log"


def test_serve_prints_addresses_that_answer(server) -> None:
    base, log = server
    printed = re.findall(r"https?://\S+[^\s,.]", next(line for line in log.read_text().splitlines()
                                                     if line.startswith("Serving ")))
    port = urllib.parse.urlsplit(base).port
    assert f"http://127.0.0.1:{port}/kommuner/project_overview" in printed and len(printed) == 3
    for url in printed:
        assert fetch(url)[0] == 200, url
