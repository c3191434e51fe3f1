"""`kommunarkiv extract` on saved files: valid records in order, also for bad input."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import cli

PROJECT_HTML = """<!DOCTYPE html><html lang="sv"><head><title>Leder i Fjällen - Bergs kommun</title>
<meta property="og:site_name" content="Bergs kommun"></head><body>
<nav><a href="/">Start</a></nav>
<main><h1>Leder i fjällen</h1>
<p>Projektet Leder i fjällen drivs av Bergs kommun tillsammans med Härjedalens kommun och finansieras av
Jordbruksverket via Europeiska jordbruksfonden för landsbygdsutveckling.</p>
<p>Projektet pågår från 1 mars 2022 till 31 december 2023 och har en budget på 2,4 miljoner kronor.</p>
<h2>Kontakt</h2><p>Projektledare</p><p>Sara Nilsson</p><p>E-post: sara.nilsson@berg.se</p><p>Tel. 0687-161 00</p>
</main><footer><p>Bergs kommun, växel 0687-164 00, info@berg.se</p></footer></body></html>"""


def run(paths: list[Path], status: int = 0) -> list[dict]:
    """The records printed for `paths`; the exit status must be `status` (1: some file could not be read)."""
    result = CliRunner().invoke(cli, ["extract", *map(str, paths)])
    assert result.exit_code == status, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_project_page_record(tmp_path: Path) -> None:
    path = tmp_path / "leder.html"
    path.write_text(PROJECT_HTML, encoding="utf-8")
    record = run([path])[0]
    assert record["file"] == str(path) and record["is_project_page"]
    project = record["projects"][0]
    assert {f["name"] for f in project["funders"]} >= {"Jordbruksverket",
                                                        "Europeiska jordbruksfonden för landsbygdsutveckling"}
    assert project["owner"]["name"] == "Bergs kommun"
    assert [p["name"] for p in project["partners"]] == ["Härjedalens kommun"]
    assert (project["start"], project["end"], project["budget_sek"]) == ("2022-03-01", "2023-12-31", 2400000)
    contact = project["contacts"][0]
    assert (contact["name"], contact["role"], contact["email"]) == ("Sara Nilsson", "Projektledare", "sara.nilsson@berg.se")
    assert all("info@" not in (c["email"] or "") for c in project["contacts"])


BAD = {
    "empty.html": b"",
    "nav.html": b"<html><body><nav><a href='/'>Start</a><a href='/a'>Om oss</a></nav></body></html>",
    "broken.html": b"<html><body><div><p>Projektet finansieras av <b>Vinnova<table><tr><td>x",
    "english.html": b"<html lang='en'><body><main><h1>Project</h1><p>The project is funded by the EU.</p></main></body></html>",
    "finnish.html": "<html lang='fi'><body><main><h1>Hanke</h1><p>Hanketta rahoittaa Euroopan aluekehitysrahasto. "
                    "Hanke kestää 1.1.2020–31.12.2022.</p></main></body></html>".encode(),
    "binary.html": bytes(range(256)) * 4,
    "huge.txt": ("Rubrik\n" + "Projektet finansieras av kommunen och pågår länge. " * 100_000).encode(),
    "capitals.txt": ("Rubrik\nI samarbete med " + " ".join(["Alfa Beta Gamma"] * 10_000)).encode(),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_gives_a_valid_record(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(BAD[name])
    started = time.monotonic()
    record = run([path], status=1 if name in ("empty.html", "binary.html") else 0)[0]
    assert time.monotonic() - started < 60  # no pattern may go quadratic on a long run of capitalised words
    assert record["file"] == str(path)
    assert set(record) >= {"url", "is_project_page", "title", "published", "updated", "projects", "extractor_version"}
    if name in ("empty.html", "nav.html", "english.html", "finnish.html", "binary.html"):
        assert record["is_project_page"] is False


def test_records_keep_argument_order(tmp_path: Path) -> None:
    paths = []
    for i, content in enumerate([PROJECT_HTML, "", PROJECT_HTML]):
        path = tmp_path / f"page{i}.html"
        path.write_text(content, encoding="utf-8")
        paths.append(path)
    records = run(paths, status=1)
    assert [r["file"] for r in records] == [str(p) for p in paths]
    assert "error" in records[1] and records[2]["is_project_page"]


def test_unreadable_paths_get_error_records_and_the_rest_is_read(tmp_path: Path) -> None:
    good = tmp_path / "good.html"
    good.write_text(PROJECT_HTML, encoding="utf-8")
    (tmp_path / "adir").mkdir()
    paths = [good, tmp_path / "missing.html", tmp_path / "adir", good]
    result = CliRunner().invoke(cli, ["extract", *map(str, paths)])
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["file"] for r in records] == [str(p) for p in paths]
    assert records[0]["is_project_page"] and records[3]["is_project_page"]
    assert records[1]["error"] == "cannot read: no such file or directory"
    assert records[2]["error"] == "cannot read: is a directory"
    failures = result.stderr.splitlines()
    assert len(failures) == 2 and "missing.html" in failures[0] and "adir" in failures[1]
    assert "Traceback" not in result.output


def test_a_stray_nul_byte_and_a_utf16_page_are_read_like_the_crawl_reads_them(tmp_path: Path) -> None:
    nul, utf16 = tmp_path / "nul.html", tmp_path / "utf16.html"
    nul.write_bytes(PROJECT_HTML.replace("<main>", "<main>\x00").encode("utf-8"))
    utf16.write_bytes(PROJECT_HTML.encode("utf-16"))  # with its BOM
    records = run([nul, utf16])
    assert all(r["is_project_page"] and r["title"] == "Leder i fjällen" for r in records)


def test_a_windows_1252_page_without_charset_keeps_its_swedish_letters(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.html"
    path.write_bytes(PROJECT_HTML.replace("Leder i fjällen", "Åkrar och ängar").encode("cp1252"))
    record = run([path])[0]
    assert record["title"] == "Åkrar och ängar" and "\ufffd" not in json.dumps(record, ensure_ascii=False)


def test_a_cut_text_is_a_warning_on_the_record_and_stderr(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Rubrik\n" + "Ett ord till i raden " * 6_000, encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(path)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["warning"] == "main text cut at 100000 characters"
    assert result.stderr.strip().endswith("warning: main text cut at 100000 characters")
