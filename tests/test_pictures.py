"""The map and chart pages through Datasette's own test client (no browser, no server)."""
from __future__ import annotations

import asyncio

import pytest
from datasette.app import Datasette
from lxml import etree

from conftest import inprocess_datasette
from pipelines.funders import source_for
from test_publish import ARCHIVE, build_archive

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def datasette(tmp_path_factory: pytest.TempPathFactory) -> Datasette:
    return inprocess_datasette(build_archive(tmp_path_factory.mktemp("pictures") / "archive.db"))


def svg(ds: Datasette, path: str, css_class: str) -> etree._Element:
    """The page's <svg class=css_class> as an element tree."""
    response = asyncio.run(ds.client.get(path))
    assert response.status_code == 200, response.text
    start = response.text.index(f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}"')
    return etree.fromstring(response.text[start:response.text.index("</svg>", start) + len("</svg>")])


def test_map_marks_each_municipality_with_projects(datasette: Datasette) -> None:
    drawing = svg(datasette, "/-/map", "kommunarkiv-map")
    circles = drawing.findall(f".//{SVG}circle")
    assert len([c for c in circles if c.get("class") == "projects"]) == len({site["id"] for site, _, _ in ARCHIVE})
    assert len([c for c in circles if c.get("class") == "municipality"]) > 250
    links = [a.get("href") for a in drawing.findall(f".//{SVG}a")]
    assert links and all("project_overview" in link for link in links)


def main_funder(project: dict) -> str | None:
    """The chart's funder for a project: its first funding source by name, else its first funder by name."""
    sources = sorted(source.name for f in project.get("funders", [])
                     if (source := source_for(f["id"], f["name"], f.get("mention"))))
    return (sources or sorted(f["name"] for f in project.get("funders", [])) or [None])[0]


def test_chart_draws_a_bar_per_year_and_main_funder(datasette: Datasette) -> None:
    bars = svg(datasette, "/-/chart", "kommunarkiv-chart").findall(f".//{SVG}rect[@class='bar']")
    pairs = {(project["start"][:4], main_funder(project)) for _, _, projects in ARCHIVE for project in projects
             if project.get("start")}
    assert len(pairs) < sum(len(p.get("funders", [])) for _, _, projects in ARCHIVE for p in projects)
    assert len(bars) == len(pairs)  # each project once: a second funder adds no bar
    budget = svg(datasette, "/-/chart?measure=budget", "kommunarkiv-chart")
    assert "MSEK" in "".join(budget.itertext())
