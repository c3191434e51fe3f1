"""The published archive in a real browser (Debian's chromium, headless, no network): search, facets, export,
map and chart, scraped HTML that must not run, and the public edition."""
from __future__ import annotations

import csv
import io
import re
import shutil
import statistics
import urllib.parse
from pathlib import Path

import pytest
from datasette.utils import tilde_encode
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright

from conftest import serve_archive
from pipelines.store import content_hash, open_archive

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
MARKER = "XSS-FIRED"
PAYLOAD = (f'Skadlig xsstest <script>console.log("{MARKER}"); window.__xss = 1</script> '
           f'<img src=x onerror="console.log(\'{MARKER}\'); window.__xss = 1"> slut')
XSS_URL = "http://xss.invalid/projekt/xsstest"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)")


def add_hostile_page(db_path: Path) -> None:
    """A scraped page and project whose text is HTML with script and onerror payloads."""
    db = open_archive(db_path)
    site_id = db.execute("select id from sites limit 1").fetchone()[0]
    with db.atomic():
        db.table("pages").insert({"url": XSS_URL, "site_id": site_id, "title": f"xsstest {PAYLOAD}", "text": PAYLOAD,
                                  "content_hash": content_hash(PAYLOAD), "http_status": 200, "is_project_page": 1})
        db.table("projects").insert({"id": "xsstest", "title": f"Projekt xsstest {PAYLOAD}", "summary": PAYLOAD,
                                     "page_url": XSS_URL, "site_id": site_id})
    db.close()


@pytest.fixture(scope="module")
def archive(crawled, tmp_path_factory) -> Path:
    """A copy of the crawled sample archive with one hostile page added."""
    path = tmp_path_factory.mktemp("browser") / "archive.db"
    shutil.copy(crawled["db"], path)
    add_hostile_page(path)
    return path


@pytest.fixture(scope="module")
def server(archive, tmp_path_factory):
    with serve_archive(archive, tmp_path_factory.mktemp("serve") / "serve.log") as base:
        yield base


@pytest.fixture(scope="module")
def public_server(archive, tmp_path_factory):
    with serve_archive(archive, tmp_path_factory.mktemp("serve-public") / "serve.log", "--public") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def url(base: str, path: str, **params: str) -> str:
    """A full URL with encoded query parameters."""
    return f"{base}{path}" + ("?" + urllib.parse.urlencode(params) if params else "")


def column(page: Page, name: str) -> list[str]:
    """The texts of a results column in Datasette's table."""
    return page.locator(f"td.col-{name}").all_inner_texts()


def test_search_box_finds_a_compound_by_its_part(server: str, page: Page) -> None:
    page.goto(url(server, "/archive/search"))
    page.fill("input[name=q]", "turism")
    page.locator("input[name=q]").press("Enter")
    page.wait_for_selector("td.col-title")
    rows = list(zip(column(page, "kind"), column(page, "title")))
    assert ("project", "Gränsälven – hållbar fisketurism") in rows  # the project's own name, not the news headline
    assert any("[turism]" in excerpt for excerpt in column(page, "excerpt"))


ERUF = "Europeiska regionala utvecklingsfonden (ERUF)"
ESF = "Europeiska socialfonden (ESF)"


def test_funder_facet_narrows_the_list(server: str, page: Page) -> None:
    page.goto(url(server, "/archive/project_funders"))
    everything = page.locator("td.col-title").count()
    facet = page.locator(".facet-info[data-column=funder] li a", has_text=ERUF).first
    facet.click()
    page.wait_for_url("**funder=Europeiska+regionala*")
    funders = column(page, "funder")
    assert 0 < len(funders) < everything
    assert set(funders) == {ERUF}  # Tillväxtverket, its managing authority, is named on the pages
    assert "Tillväxtverket" in " ".join(column(page, "named_as"))


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot in tests/screenshots (kept for a person to look at), checked not to be blank."""
    folder = Path(__file__).parent / "screenshots"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    assert not_blank(path), path
    return path


@pytest.mark.parametrize("query", ["ESF", "socialfond"])
def test_search_page_finds_the_esf_projects(server: str, page: Page, query: str) -> None:
    page.goto(url(server, "/-/sok"))
    page.get_by_label("Sökord").fill(query)
    page.get_by_role("button", name="Sök").click()
    page.wait_for_selector("a.ka-project-link")
    titles = page.locator("a.ka-project-link").all_inner_texts()
    assert {"Landa norr", "Vägen till arbete"} <= set(titles)
    assert len(titles) == len(set(titles))  # Landa norr's listing and own page are one project
    assert page.locator("aside.ka-facets").is_visible()
    assert not re.search(r"\bselect\b[\s\S]*\bfrom\b", page.locator("body").inner_text(), re.IGNORECASE)
    screenshot(page, f"search-{query}")


def test_project_page_shows_facts_evidence_and_source(server: str, page: Page) -> None:
    page.goto(url(server, "/-/sok", q="Landa norr"))
    page.locator("a.ka-project-link", has_text="Landa norr").first.click()
    page.wait_for_selector("h1.ka-title")
    assert page.locator("h1.ka-title").inner_text() == "Landa norr"
    funders = page.locator("section.ka-funders").inner_text()
    assert ESF in funders and "Svenska ESF-rådet" in funders and "finansieras av" in funders
    # four municipalities applying together: all four are partners and none is the owner (the annotation
    # convention of ../shared/eval/dev for a joint application)
    assert {"Gällivare kommun", "Arjeplogs kommun", "Pajala kommun", "Arvidsjaurs kommun"} <= set(
        page.locator("section.ka-partners li > a").all_inner_texts())
    assert "okänd" in page.locator("dd.ka-owner").inner_text()
    assert page.locator("dd.ka-period").inner_text().startswith("2023-10 – 2026-09")
    assert "oktober 2023" in page.locator("dd.ka-period .ka-evidence").inner_text()
    sources = page.locator("section.ka-sources a.ka-source")
    assert sources.count() == 2 and all("/naringsliv/utvecklingsprojekt" in h for h in
                                        (sources.nth(i).get_attribute("href") for i in range(2)))
    screenshot(page, "project-landa-norr")
    sources.first.click()
    page.wait_for_load_state()
    assert "utvecklingsprojekt" in page.url


def test_active_year_county_and_funder_give_each_project_once(server: str, page: Page) -> None:
    page.goto(url(server, "/archive/project_overview"))
    for column_name, value in (("active_years", "2024"), ("county", "Norrbottens län"), ("funders", ESF)):
        page.locator(f".facet-info[data-column={column_name}] li a", has_text=value).first.click()
        page.wait_for_load_state()
    titles = [t.strip() for t in column(page, "title")]
    assert "Landa norr" in titles and len(titles) == len(set(titles))
    assert set(column(page, "county")) == {"Norrbottens län"}
    assert all(ESF in cell for cell in column(page, "funders"))


def test_two_sites_one_project_page(server: str, page: Page) -> None:
    page.goto(url(server, "/-/sok", q="Byarnas mötesplatser"))
    assert page.locator("a.ka-project-link").count() == 1
    page.locator("a.ka-project-link").first.click()
    other = page.locator("section.ka-other-sites li")
    assert other.count() == 1 and ("Pajala" in other.inner_text() or "Övertorneå" in other.inner_text())


def test_csv_export_downloads_the_filtered_rows(server: str, page: Page, tmp_path: Path) -> None:
    page.goto(url(server, "/archive/projects", county="Gävleborgs län"))
    with page.expect_download() as download:
        page.evaluate("url => { const a = document.createElement('a'); a.href = url; a.download = 'p.csv';"
                      " document.body.appendChild(a); a.click(); }",
                      page.locator("a[href*='.csv']").first.get_attribute("href"))
    saved = tmp_path / "projects.csv"
    download.value.save_as(saved)
    header, *rows = list(csv.reader(io.StringIO(saved.read_text("utf-8"))))
    assert {"Nya vägar Gävleborg", "Vägen till arbete"} <= {row[header.index("title")] for row in rows}
    assert {row[header.index("county")] for row in rows} == {"Gävleborgs län"}


def not_blank(png: Path) -> bool:
    """Whether a screenshot has more than one colour worth speaking of (pixel variance)."""
    grey = Image.open(png).convert("L")
    return statistics.pvariance(grey.get_flattened_data()) > 50


def test_map_renders_offline(server: str, page: Page, tmp_path: Path) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(url(server, "/-/map"))
    svg = page.locator("svg.kommunarkiv-map")
    svg.screenshot(path=tmp_path / "map.png")
    assert not_blank(tmp_path / "map.png")
    assert page.locator("svg.kommunarkiv-map circle.projects").count() == 4  # the three sample municipalities and Pajala
    assert page.locator("svg.kommunarkiv-map circle.municipality").count() > 250
    assert all(request.startswith(server) for request in requests)


def test_chart_renders_offline(server: str, page: Page, tmp_path: Path) -> None:
    page.goto(url(server, "/-/chart"))
    page.locator("svg.kommunarkiv-chart").screenshot(path=tmp_path / "chart.png")
    assert not_blank(tmp_path / "chart.png")
    assert page.locator("svg.kommunarkiv-chart rect.bar").count() >= 3
    page.goto(url(server, "/-/chart", measure="budget"))
    assert "MSEK" in page.locator("svg.kommunarkiv-chart").text_content()


def test_scraped_html_never_runs(server: str, page: Page) -> None:
    fired: list[str] = []
    page.on("dialog", lambda dialog: (fired.append("dialog"), dialog.dismiss()))
    page.on("console", lambda message: fired.append(message.text) if MARKER in message.text else None)
    for path, params in [(f"/archive/pages/{tilde_encode(XSS_URL)}", {}), ("/archive/projects/xsstest", {}),
                         ("/archive/search", {"q": "xsstest"}), ("/archive/pages", {"_search": "xsstest"}),
                         ("/archive/project_overview", {"title__contains": "xsstest"})]:
        page.goto(url(server, path, **params))
        assert page.get_by_text("xsstest").count() > 0, path
        assert page.evaluate("window.__xss") is None, path
    assert fired == []


def test_public_edition_shows_no_contact_email(server: str, public_server: str, page: Page) -> None:
    page.goto(url(server, "/archive/contacts"))
    assert "erik.lundberg@gellivare.se" in page.content()
    for path, params in [("/archive/contacts", {}), ("/archive/pages", {"_search": "lundberg"}),
                         ("/archive/search", {"q": "lundberg"})]:
        page.goto(url(public_server, path, **params))
        assert "@gellivare.se" not in page.content(), path
    page.goto(url(public_server, "/archive/contacts"))
    assert "Projektledare" in column(page, "role")
    assert column(page, "email") == []
