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
