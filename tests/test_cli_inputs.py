"""The CLI's handling of user files it did not write: sites CSVs in other encodings, other SQLite files."""
from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess

import pytest
from click.testing import CliRunner

from conftest import free_port
from pipelines.store import open_archive
from scraper.cli import cli
from test_serve_hardened import KOMMUNARKIV, read_only

HEADER = "url,name,kind\n"
ROW = "https://leader-ostra.example.se/,Leader Östra Norrbotten,leader_area\n"


def sites(*args: str):
    return CliRunner().invoke(cli, ["sites", "--kind", "leader_area", *args])


def test_a_cp1252_sites_file_is_read(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + ROW).encode("cp1252"))
    result = sites("--sites", str(path))
    assert result.exit_code == 0, result.output
    assert "Leader Östra Norrbotten" in result.output


def test_a_semicolon_sites_file_with_bom_is_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text((HEADER + ROW).replace(",", ";"), encoding="utf-8-sig")
    result = sites("--sites", str(path))
    assert result.exit_code == 0, result.output
    assert "https://leader-ostra.example.se/" in result.output


def test_a_binary_sites_file_is_one_line_error(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00\xff\xfe" * 20)
    for command in (["sites", "--sites", str(path)], ["crawl", "--sites", str(path), "--db", str(tmp_path / "c.db")]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 1
        assert result.output.strip().count("\n") == 0 and "not a CSV text file" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "c.db").exists()


def test_a_header_only_sites_file_says_no_sites(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text(HEADER, encoding="utf-8")
    result = CliRunner().invoke(cli, ["crawl", "--sites", str(path), "--db", str(tmp_path / "c.db")])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: no sites in {path}"


def foreign_database(path):
    connection = sqlite3.connect(path)
    connection.execute("create table t(a)")
    connection.commit()
    connection.close()
    return path


def tables(path):
    connection = sqlite3.connect(path)
    names = [row[0] for row in connection.execute("select name from sqlite_master")]
    connection.close()
    return names


def test_an_sqlite_file_that_is_no_archive_is_refused_unchanged(tmp_path):
    db = foreign_database(tmp_path / "other.db")
    csv_file = tmp_path / "sites.csv"
    csv_file.write_text(HEADER + ROW, encoding="utf-8")
    for command in (["reextract"], ["merge"], ["serve", "--port", str(free_port())], ["crawl", "--sites", str(csv_file)]):
        result = CliRunner().invoke(cli, [*command, "--db", str(db)])
        assert result.exit_code == 1, (command, result.output)
        assert result.output.strip() == f"Error: {db} is not a kommunarkiv archive", command
        assert tables(db) == ["t"]
    assert not (tmp_path / "other.db.lock").exists()


def test_a_file_that_is_not_sqlite_leaves_no_lock(tmp_path):
    db = tmp_path / "notes.db"
    db.write_text("not a database\n" * 10, encoding="utf-8")
    for command in ("reextract", "merge"):
        result = CliRunner().invoke(cli, [command, "--db", str(db)])
        assert result.exit_code == 1 and "not an SQLite database" in result.output
    assert not (tmp_path / "notes.db.lock").exists()


def test_resume_of_a_new_archive_creates_nothing(tmp_path):
    db = tmp_path / "new.db"
    result = CliRunner().invoke(cli, ["crawl", "--resume", "--db", str(db)])
    assert result.exit_code == 1 and "no interrupted crawl to resume" in result.output
    assert list(tmp_path.iterdir()) == []


def test_merge_on_a_read_only_mount_says_read_only(tmp_path):
    if not shutil.which("unshare") or subprocess.run(read_only(tmp_path, "true"), capture_output=True).returncode:
        pytest.skip("cannot make a read-only mount here (needs root and unshare)")
    open_archive(tmp_path / "archive.db").close()
    result = subprocess.run(read_only(tmp_path, KOMMUNARKIV, "merge", "--db", str(tmp_path / "archive.db")),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "read-only" in result.stderr, result.stderr
    assert "not a kommunarkiv archive" not in result.stderr


@pytest.mark.parametrize("county", ["25", "Norrbotten", "norrbottens län", "NORRBOTTEN"])
def test_sites_and_crawl_read_a_county_as_export_does(county, tmp_path):
    result = CliRunner().invoke(cli, ["sites", "--county", county])
    assert result.exit_code == 0, result.output
    assert "Region Norrbotten" in result.output and "Gällivare" in result.output
    assert "Region Stockholm" not in result.output
    result = CliRunner().invoke(cli, ["crawl", "--county", county, "--resume", "--db", str(tmp_path / "n.db")])
    assert "no county" not in result.output and "no interrupted crawl" in result.output


def test_an_unknown_county_or_kind_is_a_clear_error():
    assert "no county 'Atlantis'" in CliRunner().invoke(cli, ["sites", "--county", "Atlantis"]).output
    result = CliRunner().invoke(cli, ["sites", "--county", "25", "--kind", "spaceship"])
    assert result.exit_code == 2
    assert "'spaceship' is not one of" in result.output and "leader_area" in result.output


def test_serve_on_a_busy_port_is_one_line(tmp_path):
    db = tmp_path / "archive.db"
    open_archive(db).close()
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--db", str(db), "--port", str(port)])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and f"cannot serve on 127.0.0.1:{port}" in result.output
