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
