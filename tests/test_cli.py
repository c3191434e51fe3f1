"""The command line: light to start, and every failure one line with an exit status, never a traceback."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from test_personal_data import build

KOMMUNARKIV = Path(sys.executable).parent / "kommunarkiv"
HEAVY = ("spacy", "scrapy", "datasette", "thinc", "torch")


def test_help_and_version_import_nothing_heavy() -> None:
    probe = ("import sys; from scraper.cli import cli\n"
             "for args in (['--help'], ['--version'], ['export', '--help']):\n"
             "    try: cli.main(args, standalone_mode=False)\n"
             "    except SystemExit: pass\n"
             f"print([m for m in {HEAVY!r} if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert "train-ner" in result.stdout and "build-patterns" in result.stdout


def test_lazy_command_still_runs(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build-metadata", "--output", str(tmp_path / "m.yml")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "m.yml").read_text("utf-8").startswith("# Generated")


def one_line_failure(*args: str, cwd: Path) -> str:
    """Run the real command; assert exit status 1 and a single 'Error:' line without a traceback; return it."""
    result = subprocess.run([str(KOMMUNARKIV), *args], capture_output=True, text=True, cwd=cwd, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def test_export_from_a_file_that_is_no_archive(tmp_path: Path) -> None:
    (tmp_path / "notadb.db").write_text("hello, not SQLite\n")
    assert "notadb.db is not an archive" in one_line_failure("export", "--db", "notadb.db", cwd=tmp_path)


def test_export_into_a_missing_folder(tmp_path: Path) -> None:
    db = build(tmp_path / "archive.db")
    line = one_line_failure("export", "--db", str(db), "--output", "missing/p.csv", cwd=tmp_path)
    assert "folder" in line and "does not exist" in line


def test_crawl_into_a_missing_folder(tmp_path: Path) -> None:
    line = one_line_failure("crawl", "--site", "http://127.0.0.1:9/", "--db", "missing/archive.db", cwd=tmp_path)
    assert "--db missing/archive.db" in line
    assert not (tmp_path / "missing").exists()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("cli") / "archive.db")


def export_titles(archive: Path, tmp_path: Path, *args: str) -> tuple[set[str], str]:
    """Titles exported with these filters (JSON), and the message on stderr."""
    output = tmp_path / "out.json"
    result = CliRunner().invoke(cli, ["export", "--db", str(archive), "--format", "json", "--output", str(output),
                                      *args])
    assert result.exit_code == 0, result.output
    return {row["title"] for row in json.loads(output.read_text("utf-8"))}, result.output


@pytest.mark.parametrize("county", ["25", "Norrbotten", "Norrbottens län", "norrbottens LÄN"])
def test_export_county_by_code_name_or_short_name(archive: Path, tmp_path: Path, county: str) -> None:
    titles, _ = export_titles(archive, tmp_path, "--county", county)
    assert titles == {"Framtidens arbetsmarknad i Malmfälten", "Gränslös turism i Tornedalen"}


@pytest.mark.parametrize("funder", ["ESF", "socialfond", "Europeiska socialfonden", "ESF+", "Svenska ESF-rådet"])
def test_export_funder_by_any_alias(archive: Path, tmp_path: Path, funder: str) -> None:
    titles, message = export_titles(archive, tmp_path, "--funder", funder)
    assert titles == {"Framtidens arbetsmarknad i Malmfälten"}
    assert message.startswith("Wrote 1 project to ")


def test_export_says_when_nothing_matches(archive: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--db", str(archive), "--county", "Skåne", "--output",
                                      str(tmp_path / "x.csv")])
    assert result.exit_code == 1
    assert "no project matches county 'Skåne län'" in result.output
    assert "Norrbottens län" in result.output and "Gävleborgs län" in result.output
    unknown = CliRunner().invoke(cli, ["export", "--db", str(archive), "--county", "Atlantis"])
    assert unknown.exit_code == 1 and "25 / Norrbotten / Norrbottens län" in unknown.output
    nobody = CliRunner().invoke(cli, ["export", "--db", str(archive), "--funder", "Vinnova"])
    assert nobody.exit_code == 1 and "Europeiska socialfonden (ESF)" in nobody.output


def test_dictionary_calls_list_columns_lists(archive: Path, tmp_path: Path) -> None:
    CliRunner().invoke(cli, ["export", "--db", str(archive), "--output", str(tmp_path / "p.csv")])
    rows = {line.split(",")[0]: line for line in (tmp_path / "p.dictionary.csv").read_text("utf-8").splitlines()}
    for column in ("funders", "partners", "active_years"):
        assert rows[column].startswith(f"{column},list,") and "JSON" not in rows[column]


@pytest.mark.slow
def test_a_dead_site_logs_one_line(tmp_path: Path) -> None:
    from conftest import free_port

    dead = f"http://127.0.0.1:{free_port()}/"
    result = subprocess.run([str(KOMMUNARKIV), "crawl", "--site", dead, "--db", str(tmp_path / "a.db"), "--no-progress"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert result.returncode == 3, result.stderr  # finished, the site looks broken
    fetch_lines = [line for line in result.stderr.splitlines() if "refused" in line]
    assert len(fetch_lines) == 1  # robots.txt refused: the site is skipped, or the spider's "unreachable" line
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) < 15
