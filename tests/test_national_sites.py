"""National coverage: every municipality, region and county board as a site, county boards scoped by path on their
shared host, other public bodies from a CSV with their organisation kind, and `kommunarkiv sites` by kind and county."""
from __future__ import annotations

from click.testing import CliRunner

from scraper.cli import cli
from scraper.frontier import SiteScopes
from scraper.sites import read_sites_csv, registry_organisations, sites_for_organisations


def test_all_covers_municipalities_regions_and_county_boards_once_per_website():
    sites = sites_for_organisations(registry_organisations())
    kinds = [site["kind"] for site in sites]
    # Region Gotland and the municipality of Gotland are one organisation with one website, gotland.se.
    assert (kinds.count("municipality"), kinds.count("region"), kinds.count("county_board")) == (290, 20, 21)
    assert len({site["base_url"] for site in sites}) == len(sites) == 331
    boards = [site for site in sites if site["kind"] == "county_board"]
    assert {site["host"] for site in boards} == {"lansstyrelsen.se"}
    assert len({site["county_code"] for site in boards}) == 21
    norrbotten = next(site for site in boards if site["county_code"] == "25")
    assert norrbotten["base_url"] == "https://lansstyrelsen.se/norrbotten/" and norrbotten["id"] == "lansstyrelse/25"


def test_scopes_split_a_shared_host_by_path_prefix():
    scopes = SiteScopes([{"id": "a", "base_url": "https://lansstyrelsen.se/norrbotten/"},
                         {"id": "b", "base_url": "https://lansstyrelsen.se/skane/"},
                         {"id": "c", "base_url": "https://www.kiruna.se/"}])
    assert scopes.site_of("https://lansstyrelsen.se/norrbotten/projekt/x.html") == "a"
    assert scopes.site_of("https://www.lansstyrelsen.se/skane") == "b"
    assert scopes.site_of("https://lansstyrelsen.se/skaneleden/") is None  # a prefix is a whole path segment
    assert scopes.site_of("https://lansstyrelsen.se/om-oss.html") is None
    assert scopes.site_of("https://kiruna.se/any/page") == "c"
    assert scopes.knows_host("https://lansstyrelsen.se/") and not scopes.knows_host("https://example.org/")
    scopes.add("https://lansstyrelsen.se/", "root")
    assert scopes.site_of("https://lansstyrelsen.se/om-oss.html") == "root"
    assert scopes.site_of("https://lansstyrelsen.se/norrbotten/") == "a"


BODIES = """url,name,kind,county
https://www.leaderpolaris.se/,Leader Polaris,leader_area,25
https://www.samordningsforbundet-norrbotten.se/,Samordningsförbundet Norrbotten,samordningsforbund,Norrbottens län
https://kommunalforbund.example.se/vatten/,Vattenförbundet,kommunalforbund,21
"""


def test_other_public_bodies_come_from_a_csv_with_their_kind(tmp_path):
    path = tmp_path / "bodies.csv"
    path.write_text(BODIES, "utf-8")
    sites = read_sites_csv(path)
    assert [(s["kind"], s["county_code"], s["county"]) for s in sites] == [
        ("leader_area", "25", "Norrbottens län"), ("samordningsforbund", "25", "Norrbottens län"),
        ("kommunalforbund", "21", "Gävleborgs län")]
    assert sites[2]["id"] == "kommunalforbund.example.se/vatten" and sites[2]["base_url"].endswith("/vatten/")
    path.write_text("url,kind\nhttps://x.se/,guild\n", "utf-8")
    result = CliRunner().invoke(cli, ["sites", "--sites", str(path)])
    assert result.exit_code == 1 and "line 2: unknown organisation kind 'guild'" in result.output


def test_sites_lists_registry_and_added_bodies_by_kind_and_county(tmp_path):
    path = tmp_path / "bodies.csv"
    path.write_text(BODIES, "utf-8")
    result = CliRunner().invoke(cli, ["sites", "--county", "25", "--sites", str(path)])
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert [row[1] for row in rows] == ["municipality"] * 14 + ["region", "county_board", "leader_area",
                                                                "samordningsforbund"]
    assert {row[3] for row in rows} == {"25"}
    assert "1 county_board, 1 leader_area, 14 municipality, 1 region, 1 samordningsforbund: 18 sites" in result.stderr
    everything = CliRunner().invoke(cli, ["sites"])
    assert everything.stderr.strip().endswith("21 county_board, 290 municipality, 20 region: 331 sites")
