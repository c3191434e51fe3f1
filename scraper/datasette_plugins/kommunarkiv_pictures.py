"""Datasette plugin: /-/map (projects per municipality) and /-/chart (projects or funding per year and funder).

Both are SVG drawn on the server from the archive's first database: no JavaScript, no map tiles, no
network. Text in the pictures is escaped. Self-contained (datasette only) so that
`datasette package --plugins-dir` can ship it; the page around the SVG is
scraper/templates/kommunarkiv_picture.html.
"""
from __future__ import annotations

import math
from html import escape
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup

# Sweden's outline (lon, lat): Natural Earth 1:110m, public domain, as in johan/world.geo.json SWE.geo.json.
SWEDEN = [(22.183173, 65.723741), (21.213517, 65.026005), (21.369631, 64.413588), (19.778876, 63.609554),
          (17.847779, 62.7494), (17.119555, 61.341166), (17.831346, 60.636583), (18.787722, 60.081914),
          (17.869225, 58.953766), (16.829185, 58.719827), (16.44771, 57.041118), (15.879786, 56.104302),
          (14.666681, 56.200885), (14.100721, 55.407781), (12.942911, 55.361737), (12.625101, 56.30708),
          (11.787942, 57.441817), (11.027369, 58.856149), (11.468272, 59.432393), (12.300366, 60.117933),
          (12.631147, 61.293572), (11.992064, 61.800362), (11.930569, 63.128318), (12.579935, 64.066219),
          (13.571916, 64.049114), (13.919905, 64.445421), (13.55569, 64.787028), (15.108411, 66.193867),
          (16.108712, 67.302456), (16.768879, 68.013937), (17.729182, 68.010552), (17.993868, 68.567391),
          (19.87856, 68.407194), (20.025269, 69.065139), (20.645593, 69.106247), (21.978535, 68.616846),
          (23.539473, 67.936009), (23.56588, 66.396051), (23.903379, 66.006927)]
WEST, EAST, SOUTH, NORTH = 10.5, 24.5, 55.0, 69.5
PX_PER_DEGREE = 44.0
MARGIN = 12
COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#7f7f7f"]
TOP_FUNDERS = 6
OTHERS = "Övriga / others"
NO_FUNDER = "Ingen angiven / none stated"

MAP_SQL = "select kommunkod, name, county, lat, lon, projects from municipality_projects where lat is not null"
# Each project once, under its main funder (projects.main_funder, kept by triggers: the first of its funding
# sources by name, else the first funding organisation); merged descriptions count as their project.
CHART_SQL = """
select p.start_year as year, coalesce(p.main_funder, :none) as funder,
       count(*) as projects, coalesce(sum(p.budget_sek), 0) as budget_sek
from projects p
where p.merged_into is null and p.start_year is not null
group by year, funder
"""


def to_xy(lon: float, lat: float) -> tuple[float, float]:
    """Pixel position of a point: equirectangular, longitudes shrunk by cos 63°."""
    return (MARGIN + (lon - WEST) * PX_PER_DEGREE * math.cos(math.radians(63)),
            MARGIN + (NORTH - lat) * PX_PER_DEGREE)


def map_svg(rows: list[dict], link: str) -> str:
    """Sweden's outline, a grey dot per municipality and a circle sized by its projects, linked to them."""
    width, height = (round(v + MARGIN) for v in to_xy(EAST, SOUTH))
    outline = " ".join(f"{x:.1f},{y:.1f}" for x, y in (to_xy(lon, lat) for lon, lat in SWEDEN))
    dots, circles = [], []
    for row in sorted(rows, key=lambda r: -r["projects"]):
        x, y = to_xy(row["lon"], row["lat"])
        label = escape(f"{row['name']}: {row['projects']} projekt / projects")
        if not row["projects"]:
            dots.append(f'<circle class="municipality" cx="{x:.1f}" cy="{y:.1f}" r="1.3"><title>{label}</title></circle>')
            continue
        radius = min(3 + 3 * math.sqrt(row["projects"]), 30)
        href = escape(link + "?" + urlencode({"municipality": row["name"]}))
        circles.append(f'<a href="{href}"><circle class="projects" cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}">'
                       f'<title>{label}</title></circle></a>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="kommunarkiv-map" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="Projekt per kommun / Projects per municipality">'
            f'<polygon class="sweden" points="{outline}" fill="#eef2f5" stroke="#8a9aa8"/>'
            f'<g fill="#9aa5ae">{"".join(dots)}</g>'
            f'<g fill="#d62728" fill-opacity="0.6" stroke="#8b1a1a">{"".join(circles)}</g>'
            "</svg>")


def stacks(rows: list[dict], measure: str) -> tuple[list[int], list[str], dict[tuple[int, str], float]]:
    """Years, the funders shown (largest first, the rest as one), and the value per (year, funder)."""
    totals: dict[str, float] = {}
    for row in rows:
        totals[row["funder"]] = totals.get(row["funder"], 0) + row[measure]
    ranked = sorted(totals, key=lambda f: (-totals[f], f))
    shown = ranked[:TOP_FUNDERS] + ([OTHERS] if len(ranked) > TOP_FUNDERS else [])
    values: dict[tuple[int, str], float] = {}
    for row in rows:
        key = (row["year"], row["funder"] if row["funder"] in shown else OTHERS)
        values[key] = values.get(key, 0) + row[measure]
    years = list(range(min(r["year"] for r in rows), max(r["year"] for r in rows) + 1)) if rows else []
    return years, shown, values


def nice_step(top: float) -> float:
    """A round tick step giving about four ticks up to `top`."""
    raw = max(top, 1) / 4
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def chart_svg(rows: list[dict], measure: str, unit: str) -> str:
    """Stacked bars: per start year, the projects (or budget) of each large funder."""
    years, funders, values = stacks(rows, measure)
    width, height, left, bottom, top = 760, 380, 70, 40, 20
    plot_w, plot_h = width - left - 200, height - top - bottom
    highest = max((sum(values.get((y, f), 0) for f in funders) for y in years), default=0)
    step = nice_step(highest)
    y_max = step * math.ceil(max(highest, 1) / step)
    band = plot_w / max(len(years), 1)
    parts = [f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>']
    for i in range(int(round(y_max / step)) + 1):
        y = top + plot_h - plot_h * i * step / y_max
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{i * step:g}</text>')
    for n, year in enumerate(years):
        x, base = left + n * band, top + plot_h
        for colour, funder in zip(COLOURS, funders):
            value = values.get((year, funder), 0)
            if value:
                h = plot_h * value / y_max
                base -= h
                parts.append(f'<rect class="bar" x="{x + band * 0.15:.1f}" y="{base:.1f}" width="{band * 0.7:.1f}" '
                             f'height="{h:.1f}" fill="{colour}"><title>{escape(f"{year}, {funder}: {value:g} {unit}")}'
                             "</title></rect>")
        if len(years) <= 20 or n % 2 == 0:
            parts.append(f'<text x="{x + band / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{year}</text>')
    for n, (colour, funder) in enumerate(zip(COLOURS, funders)):
        y = top + 10 + n * 20
        parts.append(f'<rect x="{left + plot_w + 16}" y="{y - 9}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{left + plot_w + 34}" y="{y + 1}">{escape(funder[:28])}</text>')
    parts.append(f'<text x="14" y="{top + plot_h / 2:.0f}" transform="rotate(-90 14 {top + plot_h / 2:.0f})" '
                 f'text-anchor="middle">{escape(unit)}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="kommunarkiv-chart" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11" role="img" '
            f'aria-label="Projekt per år och finansiär / Projects per year and funder">{"".join(parts)}</svg>')


async def _page(datasette, request, title: str, description: str, svg: str,
                links: list[tuple[str, str]]) -> Response:
    """The picture inside Datasette's page layout, with links (label, URL) under it."""
    html = await datasette.render_template("kommunarkiv_picture.html", {
        "title": title, "description": description, "svg": Markup(svg), "links": links,
    }, request=request)
    return Response.html(html)


async def map_page(datasette, request) -> Response:
    """/-/map: projects per municipality on an outline of Sweden."""
    db = datasette.get_database()
    rows = [dict(row) for row in (await db.execute(MAP_SQL)).rows]
    svg = map_svg(rows, datasette.urls.table(db.name, "project_overview"))
    return await _page(datasette, request, "Projekt per kommun / Projects per municipality",
                       "Cirkelns yta visar antal projekt på kommunens webbplats; klicka för projekten. / "
                       "A circle's area shows the projects on the municipality's website; click for the list.",
                       svg, [("Data (CSV, JSON)", datasette.urls.table(db.name, "municipality_projects"))])


async def chart_page(datasette, request) -> Response:
    """/-/chart: projects (or, with ?measure=budget, budget in MSEK) per start year and funder."""
    db = datasette.get_database()
    budget = request.args.get("measure") == "budget"
    rows = [dict(row) for row in (await db.execute(CHART_SQL, {"none": NO_FUNDER})).rows]
    if budget:
        rows = [{**row, "budget_sek": row["budget_sek"] / 1e6} for row in rows]
    svg = chart_svg(rows, "budget_sek" if budget else "projects", "MSEK" if budget else "projekt / projects")
    return await _page(datasette, request, "Projekt per startår och finansiär / Projects per start year and funder",
                       "Varje projekt räknas en gång, under sin huvudfinansiär (första finansieringskällan); "
                       "budgeten likaså. / Each project counts once, under its main funder (its first funding "
                       "source); so does its budget.",
                       svg, [("Antal projekt / Projects", "?measure=projects"), ("Budget (MSEK)", "?measure=budget"),
                             ("Data (CSV, JSON)", datasette.urls.table(db.name, "project_funders"))])


@hookimpl
def register_routes() -> list[tuple[str, object]]:
    return [(r"^/-/map$", map_page), (r"^/-/chart$", chart_page)]


@hookimpl
def menu_links(datasette) -> list[dict[str, str]]:
    return [{"href": datasette.urls.path("/-/map"), "label": "Karta / Map"},
            {"href": datasette.urls.path("/-/chart"), "label": "Diagram / Chart"}]
