"""A page's own dates: only a valid full date up to tomorrow, as YYYY-MM-DD."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from pipelines.clean import clean_html
from pipelines.page_dates import parse_date


@pytest.mark.parametrize("value", ["2023-02-30", "2023-02-29", "2023-04-31", "2023-11-45", "2023-12-00",
                                   "2023-02-30T10:00:00", "20230230", "0000-00-00", "31 februari 2024"])
def test_an_impossible_date_is_dropped_not_corrected(value: str) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize("value", ["2023-02", "februari 2023", "2023"])
def test_a_partial_date_is_dropped(value: str) -> None:
    assert parse_date(value) is None


def test_a_date_beyond_tomorrow_is_dropped() -> None:
    tomorrow, later = date.today() + timedelta(days=1), date.today() + timedelta(days=3)
    assert parse_date(tomorrow.isoformat()) == tomorrow.isoformat()
    assert parse_date(later.isoformat()) is None and parse_date("2099-01-01") is None


@pytest.mark.parametrize("value, day", [("2024-02-29", "2024-02-29"), ("2023-09-14T08:00:00+02:00", "2023-09-14"),
                                        ("20230504", "2023-05-04"), ("14 sep 2023", "2023-09-14"),
                                        ("tisdag 5 december 2023", "2023-12-05"), (" 2023-05-04 ", "2023-05-04")])
def test_a_valid_full_date_is_kept_as_iso(value: str, day: str) -> None:
    assert parse_date(value) == day


def test_an_impossible_meta_date_leaves_the_page_undated() -> None:
    html = ('<html><head><meta name="DC.Date.Modified" content="2023-02-30">'
            '<meta property="article:published_time" content="2023-12-00"></head><body><p>Text</p></body></html>')
    page = clean_html(html, "u")
    assert (page.published, page.updated) == (None, None)


def dated_page(head: str = "", body: str = "") -> str:
    """An invented page with schema.org data in its head and body."""
    return f'<html lang="sv"><head><title>Projekt Ljus</title>{head}</head><body><main><h1>Projekt Ljus</h1>' \
           f'<p>Projektet pågår i Bergby.</p>{body}</main></body></html>'


def ld(data: str) -> str:
    return f'<script type="application/ld+json">{data}</script>'


@pytest.mark.parametrize("head", [
    ld('{"@context": "https://schema.org", "@type": "WebPage", "datePublished": "2023-03-01T09:00:00+01:00", '
       '"dateModified": "2024-01-15"}'),
    ld('{"@context": "https://schema.org", "@graph": [{"@type": "Organization", "name": "Bergby kommun"}, '
       '{"@type": "WebPage", "@id": "https://www.bergby.se/ljus", "datePublished": "2023-03-01", '
       '"dateModified": "2024-01-15T10:00:00Z"}]}'),
    ld('[{"@type": "BreadcrumbList"}, {"@type": "NewsArticle", "datePublished": "2023-03-01", '
       '"dateModified": "2024-01-15"}]'),
    ld('<!--\n{"@type": "Article", "datePublished": "1 mars 2023", "dateModified": "15 januari 2024"}\n-->'),
])
def test_json_ld_dates_are_read(head: str) -> None:
    page = clean_html(dated_page(head), "https://www.bergby.se/ljus")
    assert (page.published, page.updated) == ("2023-03-01", "2024-01-15")


@pytest.mark.parametrize("body", [
    '<div itemscope itemtype="https://schema.org/Article"><time itemprop="datePublished" datetime="2023-03-01">'
    '1 mars 2023</time> <span itemprop="dateModified">15 januari 2024</span></div>',
    '<div itemscope itemtype="https://schema.org/WebPage"><meta itemprop="datePublished" content="2023-03-01">'
    '<p>Uppdaterad <time itemprop="dateModified" datetime="2024-01-15T08:00">i januari</time></p></div>',
])
def test_microdata_dates_are_read(body: str) -> None:
    page = clean_html(dated_page(body=body), "https://www.bergby.se/ljus")
    assert (page.published, page.updated) == ("2023-03-01", "2024-01-15")


def test_meta_tags_come_before_structured_data_and_that_before_visible_lines() -> None:
    head = '<meta property="article:published_time" content="2022-05-05">' + ld(
        '{"@type": "WebPage", "datePublished": "2023-03-01", "dateModified": "2024-01-15"}')
    page = clean_html(dated_page(head, "<p>Senast uppdaterad 2024-06-30</p>"), "u")
    assert (page.published, page.updated) == ("2022-05-05", "2024-01-15")


def test_teasers_dates_are_not_the_page_s() -> None:
    """A start page listing news items each with its own date states no date of its own."""
    teasers = ld('{"@graph": [{"@type": "NewsArticle", "datePublished": "2024-01-10"}, '
                 '{"@type": "NewsArticle", "datePublished": "2024-02-20"}]}')
    nested = ld('{"@type": "ItemList", "itemListElement": [{"@type": "NewsArticle", "datePublished": "2024-01-10"}]}')
    cards = "".join(f'<article itemscope itemtype="https://schema.org/NewsArticle"><h2 itemprop="headline">Nyhet {n}'
                    f'</h2><time itemprop="datePublished" datetime="2024-0{n}-10">{n}</time></article>' for n in (1, 2))
    for head, body in ((teasers, ""), (nested, ""), ("", cards)):
        page = clean_html(dated_page(head, body), "https://www.bergby.se/")
        assert (page.published, page.updated) == (None, None), (head, body)


def test_broken_json_ld_is_passed_over() -> None:
    head = ld('{"@type": "WebPage", "datePublished": "2023-03-01",}') + ld("not json") + ld(
        '{"@type": "WebPage", "dateModified": "2024-01-15"}')
    page = clean_html(dated_page(head), "u")
    assert (page.published, page.updated) == (None, "2024-01-15")
