"""The end-of-crawl summary on an invented archive (no crawl): one labelled line per count, and where to browse it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.merge import merge_projects
from pipelines.runs import finish_run, start_run
from scraper.cli import _print_crawl_summary
from scraper.crawl import CrawlReport
from test_merge import NOW, archive  # noqa: F401  (the fixture: five descriptions of three projects on four pages)


@pytest.fixture
def summary(archive, capsys) -> list[str]:  # noqa: F811
    """The summary's lines for a finished run over that archive, once its descriptions are merged."""
    merge_projects(archive)
    sites = [{"id": row[0], "base_url": row[1]} for row in archive.execute("select id, base_url from sites")]
    run_id = start_run(archive, sites, 10, NOW)
    finish_run(archive, run_id, 0, 3, NOW)
    path = Path(archive.execute("pragma database_list").fetchone()[2])
    _print_crawl_summary(path, CrawlReport(run_id, True))
    return capsys.readouterr().err.splitlines()


def test_each_count_has_a_line_of_its_own_with_its_label(summary: list[str]) -> None:
    counted = {re.match(r"\s*([a-z ]+):", line).group(1): int(re.search(r":\s+(\d+)", line).group(1))
               for line in summary if re.match(r"\s+[a-z ]+:\s+\d+", line)}
    assert counted == {"project pages": 4, "project descriptions": 5, "projects": 3}
    for line in summary:  # no line gives two counts of projects
        assert len(re.findall(r"\d+ (?:project|projects|descriptions)\b", line)) <= 1, line
    projects = next(line for line in summary if line.lstrip().startswith("projects:"))
    assert "after merging" in projects
    assert "before merging" in next(line for line in summary if "descriptions:" in line)


def test_counts_agree_with_the_project_list(archive) -> None:  # noqa: F811
    from pipelines.merge import project_counts

    merge_projects(archive)
    counts = project_counts(archive)
    assert counts["projects"] == archive.execute("select count(*) from project_overview").fetchone()[0] == 3
    assert counts["descriptions"] == archive.execute("select count(*) from projects").fetchone()[0] == 5


def test_the_summary_says_where_to_browse_the_archive_by_its_name(summary: list[str]) -> None:
    browse = next(line for line in summary if line.startswith("Browse it:"))
    assert "kommunarkiv serve --db " in browse and browse.endswith("/archive/project_overview")
