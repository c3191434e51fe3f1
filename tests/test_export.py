"""`kommunarkiv export`: projects as CSV (plain or for Excel) or JSON, filtered, with a data dictionary; `publish`."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines.store import schema
from scraper.cli import cli
from test_personal_data import build


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("export") / "archive.db")


def run(*args: str) -> None:
    """Run a kommunarkiv command; assert it succeeded."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output


def test_excel_csv_keeps_swedish_letters(archive: Path, tmp_path: Path) -> None:
    output = tmp_path / "norrbotten.csv"
    run("export", "--db", str(archive), "--county", "Norrbottens län", "--excel", "--output", str(output))
    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert header == list(schema()["views"]["project_overview"]["columns"])
    assert sorted(row[header.index("title")] for row in rows) == ["Framtidens arbetsmarknad i Malmfälten",
                                                                  "Gränslös turism i Tornedalen"]
    tornedalen = next(row for row in rows if row[1] == "Gränslös turism i Tornedalen")
    assert tornedalen[header.index("funders")] == "Interreg Aurora, Region Norrbotten"
    dictionary = (tmp_path / "norrbotten.dictionary.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert dictionary[0] == "column;type;description;beskrivning"
    assert "budget_sek;integer;Project budget or grant, SEK;Budget eller stöd, kronor" in dictionary


def test_json_export_by_funder(archive: Path, tmp_path: Path) -> None:
    output = tmp_path / "leader.json"
    run("export", "--db", str(archive), "--format", "json", "--funder", "Hälsingebygden", "--output", str(output))
    rows = json.loads(output.read_text("utf-8"))
    assert {row["title"] for row in rows} == {"Mötesplatser i Hälsingebygden", "Digital byapp för Järvsö"}
    assert all(row["funders"] == ["Jordbruksfonden för landsbygdsutveckling (EJFLU, Leader)"] for row in rows)
    assert all(row["funders_named"] == ["Leader Hälsingebygden"] for row in rows)
    assert {row["status"] for row in rows} == {"pågående", "avslutat"}
    assert (tmp_path / "leader.dictionary.csv").read_text("utf-8").startswith("column,type,")


def test_plain_csv_by_default(archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run("export", "--db", str(archive))
    rows = list(csv.DictReader((tmp_path / "projects.csv").open(encoding="utf-8")))
    assert len(rows) == 4 and (tmp_path / "projects.dictionary.csv").exists()


def test_publish_prints_a_package_command_with_serve_settings(archive: Path) -> None:
    result = CliRunner().invoke(cli, ["publish", "--db", str(archive)])
    assert result.exit_code == 0, result.output
    command = result.output.strip()
    assert command.startswith("datasette package --tag kommunarkiv ")
    for part in ("--plugins-dir", "--template-dir", "--install snowballstemmer", "sql_time_limit_ms 3000"):
        assert part in command
