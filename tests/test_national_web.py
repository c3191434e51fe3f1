"""The simulated national web: generated deterministically from the registry, served through a loopback proxy,
counting requests in flight per host."""
from __future__ import annotations

import threading
import urllib.parse
import urllib.request
from collections import Counter

from scraper.national_web import NationalWeb, serve_national_web, simulated_sites
from scraper.sites import registry_organisations, sites_for_organisations

SITES = sites_for_organisations(registry_organisations())


def test_every_registry_site_is_generated_the_same_way_each_time():
    sims = simulated_sites(SITES)
    assert sims == simulated_sites(SITES) and len(sims) == 331
    assert all(50 <= s.pages <= 3000 for s in sims) and all(0.05 <= s.latency <= 2.0 for s in sims)
    families = Counter(s.cms for s in sims)
    assert families.most_common(1)[0][0] == "sitevision" and set(families) == {"sitevision", "episerver",
                                                                                "wordpress", "drupal"}
    assert any(s.failing for s in sims) and any(s.moved_to for s in sims) and any(s.latency > 0.5 for s in sims)
    boards = [s for s in sims if s.id.startswith("lansstyrelse/")]
    assert {s.host for s in boards} == {"lansstyrelsen.se"} and not any(s.moved_to for s in boards)
    site = sims[0]
    assert all(site.page_of(site.path(i)) == i for i in range(site.pages))


def _get(proxy: str, url: str) -> tuple[int, str]:
    url = urllib.parse.quote(url, safe=":/?=&")  # paths have Swedish letters, as on the real sites
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy}))
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_the_server_plays_sites_by_host_and_county_boards_by_path():
    chosen = SITES[:2] + [s for s in SITES if s["id"] in ("lansstyrelse/25", "lansstyrelse/12")]
    web = NationalWeb(simulated_sites(chosen, pages=(30, 30), latency=(0.01, 0.01)), time_scale=1.0)
    first = web.sites[0]
    with serve_national_web(web) as proxy:
        status, robots = _get(proxy, "http://lansstyrelsen.se/robots.txt")
        assert status == 200 and "Disallow: /norrbotten/sok" in robots and "Disallow: /skane/sok" in robots
        status, index = _get(proxy, "http://lansstyrelsen.se/sitemap.xml")
        assert "<sitemapindex" in index and "http://lansstyrelsen.se/norrbotten/sitemap-0.xml" in index
        status, sitemap = _get(proxy, "http://lansstyrelsen.se/norrbotten/sitemap-0.xml")
        assert "/norrbotten/" in sitemap and "/skane/" not in sitemap
        status, home = _get(proxy, f"http://{first.host}/")
        assert status == 200 and f'href="{first.path(1)}"' in home
        status, project = _get(proxy, f"http://{first.host}{first.path(5)}")
        assert "Projektet finansieras av" in project
        assert _get(proxy, f"http://{first.host}/no/such/page.html")[0] == 404
        assert _get(proxy, "http://lansstyrelsen.se/om-oss.html")[0] == 404  # outside every board's prefix
        threads = [threading.Thread(target=_get, args=(proxy, f"http://{first.host}{first.path(i)}"))
                   for i in range(1, 7)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert web.peak[first.host] >= 2 and web.inflight[first.host] == 0  # concurrent requests are counted
    assert web.requests[first.host] == 9 and web.requests["lansstyrelsen.se"] == 4
