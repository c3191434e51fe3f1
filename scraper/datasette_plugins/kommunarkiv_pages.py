"""Datasette plugin: a project page (/-/projekt/<id>), a search page (/-/sok) and readable tables.

- /-/projekt/<id>: title, status, period, budget, owner, funders, partners, contacts (when the archive has
  their columns: the public edition has not), each fact with its sentence and a link to its page, the pages
  and page versions behind the project, and the same project on other sites.
- /-/sok: a search form (Swedish labels), project cards linking to project pages, then matching pages, with
  facets (county, funder, active year) beside the results. No SQL on screen.
- Tables: list columns (JSON arrays) shown as lists, project titles linked to their project page, column
  descriptions folded away, and an "Excel (sv)" CSV (UTF-8 with BOM, ';') of any table or query.

Self-contained (datasette, markupsafe) so that `datasette package --plugins-dir` can ship it; the pages are
scraper/templates/kommunarkiv_project.html and kommunarkiv_search.html. All text from the archive is escaped.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from html import escape
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

LIST_COLUMNS = {"funders", "funders_named", "partners", "active_years", "aliases"}
PROJECT_TABLES = {"project_overview": "id", "project_funders": "project_id", "project_partners": "project_id",
                  "projects": "id", "active_projects_on_date": "id"}
KIND_SV = {"municipality": "kommun", "region": "region", "county_board": "länsstyrelse", "agency": "myndighet",
           "fund": "fond", "eu_fund": "EU-fond", "programme": "program", "eu": "EU", "foundation": "stiftelse",
           "university": "lärosäte", "company": "företag", "association": "förening", "government": "regeringen",
           "organisation": "organisation", "other": "annan"}
ROLE_SV = {"funder": "Finansiär", "partner": "Partner", "owner": "Projektägare"}
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"
PAGE_SIZE = 100


async def _rows(db, sql: str, params: dict | list | None = None) -> list[dict]:
    return [dict(row) for row in (await db.execute(sql, params or {})).rows]


async def _columns(db, table: str) -> set[str]:
    return set(await db.table_columns(table)) if await db.table_exists(table) else set()


def marked(text: str | None) -> Markup:
    """An FTS snippet with its match markers as <mark>, everything else escaped."""
    html = escape(text or "")
    return Markup(html.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


def period(start: str | None, end: str | None) -> str:
    """A period as text: "2023-09 – 2026-08", "från 2024", "till 2022" or ""."""
    if start and end:
        return f"{start} – {end}"
    return f"från {start}" if start else f"till {end}" if end else ""


def sek(amount: int | None) -> str:
    """An amount in kronor with Swedish thousands separators: 4 600 000 kr."""
    return f"{amount:,} kr".replace(",", "\u00a0") if amount is not None else ""


PROJECT_SQL = "select * from project_overview where id = :id"
ROLES_SQL = """
select po.role, o.id as org_id, o.name, o.kind, po.mention, po.evidence, m.page_url, m.site_id,
       fs.name as source, fs.managing_authority
from projects m
join project_organisations po on po.project_id = m.id
join organisations o on o.id = po.organisation_id
left join funding_sources fs on fs.id = o.funding_source_id
where m.id = :id or m.merged_into = :id
order by po.role, coalesce(fs.name, o.name)
"""
SOURCES_SQL = """
select ps.*, s.name as site_name, pg.title as page_title, pg.version, pg.removed_at as page_removed_at,
       (select count(*) from page_versions v where v.url = ps.page_url) as versions
from project_sources ps
left join sites s on s.id = ps.site_id
left join pages pg on pg.url = ps.page_url
where ps.project_id = :id
order by ps.rule = 'own' desc, ps.site_id, ps.page_url
"""
FACTS_SQL = """
select m.id, m.page_url, m.period_evidence, m.budget_evidence, m.start_date, m.end_date, m.budget_sek
from projects m where m.id = :id or m.merged_into = :id
order by m.id != :id
"""


async def project_page(datasette, request) -> Response:
    """/-/projekt/<id>: everything the archive knows about one project, each fact with its evidence."""
    db = datasette.get_database()
    project_id = request.url_vars["id"]
    lead = await _rows(db, "select coalesce(merged_into, id) as id from projects where id = :id", {"id": project_id})
    if not lead:
        raise NotFound("Inget projekt med det id:t / No such project")
    if lead[0]["id"] != project_id:
        return Response.redirect(datasette.urls.path(f"/-/projekt/{lead[0]['id']}"))
    project = (await _rows(db, PROJECT_SQL, {"id": project_id}))[0]
    roles = await _rows(db, ROLES_SQL, {"id": project_id})
    sources = await _rows(db, SOURCES_SQL, {"id": project_id})
    facts = await _rows(db, FACTS_SQL, {"id": project_id})
    contact_columns = await _columns(db, "contacts")
    contacts = await _rows(db, "select c.* from contacts c join projects m on m.id = c.project_id "
                               "where m.id = :id or m.merged_into = :id", {"id": project_id})
    funders: dict[str, dict] = {}
    for role in (r for r in roles if r["role"] == "funder"):
        entry = funders.setdefault(role["source"] or role["name"], {
            "name": role["source"] or role["name"], "managing_authority": role["managing_authority"], "named": {}})
        named = entry["named"].setdefault(role["org_id"], {**role, "evidences": []})
        if role["evidence"]:
            named["evidences"].append((role["evidence"], role["page_url"]))
    db_name = db.name
    return Response.html(await datasette.render_template("kommunarkiv_project.html", {
        "project": project, "funders": [{**f, "named": list(f["named"].values())} for f in funders.values()],
        "partners": _unique_orgs(r for r in roles if r["role"] == "partner"),
        "owners": _unique_orgs(r for r in roles if r["role"] == "owner"),
        "period_fact": next((f for f in facts if f["period_evidence"]), None),
        "budget_fact": next((f for f in facts if f["budget_evidence"]), None),
        "sources": sources, "other_sites": [s for s in sources if s["site_id"] != sources[0]["site_id"]] if sources else [],
        "contacts": contacts, "show_contacts": "name" in contact_columns,
        "period": period(project["start_date"], project["end_date"]), "budget": sek(project["budget_sek"]),
        "kind_sv": KIND_SV, "org_url": lambda org_id: datasette.urls.row(db_name, "organisations", org_id),
        "versions_url": lambda url: datasette.urls.table(db_name, "page_versions") + "?" + urlencode({"url": url}),
        "search_url": datasette.urls.path("/-/sok"),
    }, request=request))


def _unique_orgs(roles) -> list[dict]:
    """Roles grouped by organisation: the first sentence and page for each."""
    seen: dict[str, dict] = {}
    for role in roles:
        seen.setdefault(role["org_id"], role)
    return list(seen.values())


SEARCH_PROJECTS_SQL = """
select v.id, v.title, v.status, v.municipality, v.county, v.funders, v.active_years, v.start_date, v.end_date,
       v.sources, {excerpt} as excerpt
from project_overview v
{join}
where (:county = '' or v.county = :county)
  and (:funder = '' or exists (select 1 from json_each(v.funders) where value = :funder))
  and (:year = '' or exists (select 1 from json_each(v.active_years) where value = :year))
order by {order}
limit 500
"""
SEARCH_PAGES_SQL = f"""
select pg.url, pg.title, s.name as site_name,
       snippet(pages_fts, -1, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 24) as excerpt
from pages_fts join pages pg on pg.rowid = pages_fts.rowid left join sites s on s.id = pg.site_id
where pages_fts match sv_match(:q)
order by bm25(pages_fts, 5.0, 1.0)
limit 30
"""


async def search_page(datasette, request) -> Response:
    """/-/sok: search projects (title, summary, funders, partners, owner, place) and pages, with facets."""
    db = datasette.get_database()
    args = {key: (request.args.get(key) or "").strip() for key in ("q", "county", "funder", "year")}
    if args["year"] and not args["year"].isdigit():
        args["year"] = ""
    if args["q"]:
        join = "join projects p on p.id = v.id join projects_fts on projects_fts.rowid = p.rowid " \
               "and projects_fts match sv_match(:q)"
        sql = SEARCH_PROJECTS_SQL.format(
            join=join, order="bm25(projects_fts, 5.0, 1.0, 1.0)",
            excerpt=f"snippet(projects_fts, -1, '{MARK_OPEN}', '{MARK_CLOSE}', '…', 24)")
    else:
        sql = SEARCH_PROJECTS_SQL.format(join="", order="v.start_date desc, v.title", excerpt="v.summary")
    searched = any(args.values())
    projects = await _rows(db, sql, args) if searched else []
    pages = await _rows(db, SEARCH_PAGES_SQL, args) if args["q"] else []
    for project in projects:
        project["funders"] = json.loads(project["funders"] or "[]")
        project["active_years"] = json.loads(project["active_years"] or "[]")
    choices = {
        "county": [r["county"] for r in await _rows(db, "select distinct county from project_overview "
                                                        "where county is not null order by 1")],
        "funder": [r["value"] for r in await _rows(db, "select distinct value from project_overview, "
                                                       "json_each(funders) order by 1")],
        "year": [str(r["value"]) for r in await _rows(db, "select distinct value from project_overview, "
                                                          "json_each(active_years) order by 1 desc")],
    }
    facets = {
        "county": Counter(p["county"] for p in projects if p["county"]),
        "funder": Counter(f for p in projects for f in p["funders"]),
        "year": Counter(str(y) for p in projects for y in p["active_years"]),
    }

    def facet_url(key: str, value: str) -> str:
        return "?" + urlencode({k: v for k, v in {**args, key: value}.items() if v})

    facet_lists = [(label, key, sorted(facets[key].items(), key=lambda kv: (-kv[1], kv[0]) if key != "year"
                                       else (-int(kv[0]), 0))[:15])
                   for key, label in (("year", "Aktivt år"), ("county", "Län"), ("funder", "Finansiär"))]
    return Response.html(await datasette.render_template("kommunarkiv_search.html", {
        "args": args, "projects": projects[:PAGE_SIZE], "project_count": len(projects), "pages": pages,
        "searched": searched, "choices": choices, "facets": facet_lists, "facet_url": facet_url,
        "marked": marked, "period": period, "project_url": lambda pid: datasette.urls.path(f"/-/projekt/{pid}"),
        "clear_url": lambda key: "?" + urlencode({k: v for k, v in args.items() if v and k != key}),
        "overview_url": datasette.urls.table(db.name, "project_overview"),
    }, request=request))


@hookimpl
def register_routes() -> list[tuple[str, object]]:
    return [(r"^/-/projekt/(?P<id>[^/]+)$", project_page), (r"^/-/sok$", search_page)]


@hookimpl
def menu_links(datasette) -> list[dict[str, str]]:
    return [{"href": datasette.urls.path("/-/sok"), "label": "Sök projekt / Search"}]


@hookimpl
def render_cell(value, column, table, database, datasette, row):
    """Lists as lists; project titles linked to their project page."""
    if column in LIST_COLUMNS and isinstance(value, str) and value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            return None
        if isinstance(items, list):
            if not items:
                return Markup('<span class="ka-empty">–</span>')
            return Markup('<ul class="ka-list">' + "".join(f"<li>{escape(str(i))}</li>" for i in items) + "</ul>")
    id_column = PROJECT_TABLES.get(table or "")
    if column == "title" and id_column and row is not None and id_column in row.keys() and row[id_column]:
        href = datasette.urls.path(f"/-/projekt/{row[id_column]}")
        return Markup(f'<a href="{escape(href)}">{escape(str(value or ""))}</a>')
    return None


# Column descriptions fold into one line ("descriptions one click away"), so a table's first screen is data.
FOLD_DESCRIPTIONS = """
document.querySelectorAll('dl.column-descriptions').forEach(function (dl) {
  var details = document.createElement('details');
  var summary = document.createElement('summary');
  summary.textContent = 'Kolumnbeskrivningar / Column descriptions';
  dl.replaceWith(details);
  details.append(summary, dl);
});
"""


@hookimpl
def extra_body_script() -> str:
    return FOLD_DESCRIPTIONS


def excel_csv(columns: list[str], rows: list) -> bytes:
    """CSV for Swedish Excel: UTF-8 with BOM, ';' between fields, list columns joined with ', '."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(columns)
    for row in rows:
        values = []
        for column in columns:
            value = row[column]
            if column in LIST_COLUMNS and isinstance(value, str) and value.startswith("["):
                try:
                    value = ", ".join(str(v) for v in json.loads(value))
                except ValueError:
                    pass
            values.append("" if value is None else value)
        writer.writerow(values)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


LIMIT_RE = re.compile(r"\s+limit\s+\d+(\s+offset\s+\d+)?\s*$", re.IGNORECASE)


async def render_excel(datasette, columns, rows, sql, database, table, request, data):
    """The `.excel` format: every row of the table's filter (not only the page shown), as Excel (sv) CSV."""
    params = (data or {}).get("query", {}).get("params") or {}
    if table and sql and LIMIT_RE.search(sql) and request.args.get("_next") is None:
        result = await datasette.get_database(database).execute(LIMIT_RE.sub("", sql), params,
                                                                 custom_time_limit=5000)
        rows, columns = result.rows, list(result.columns)
    name = table or database
    return Response(excel_csv(columns, rows), content_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}.csv"'})


@hookimpl
def register_output_renderer(datasette):
    return {"extension": "excel", "render": render_excel}
