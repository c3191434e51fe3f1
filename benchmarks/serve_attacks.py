"""Cheap attacks on a running `kommunarkiv serve`, beside plain Datasette on the same archive as the baseline.

For each server: wall time and the server's CPU seconds for N requests for missing pages (8 client
threads), the latency of /-/versions.json right after, and the time to an answer for
`select length(randomblob(B))` and `select length(zeroblob(10 GB))`. The baseline (Datasette without the
project's plugins and settings, rich tracebacks on when rich is installed) gets fewer 404s and a smaller
randomblob, as its costs are per request and per byte. The archive is a small one built through the
project's schema in a temporary directory.
Run: .venv/bin/python benchmarks/serve_attacks.py [--requests 1000] [--baseline-requests 50]
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipelines.store import open_archive, store_page, store_site

BIN = Path(sys.executable).parent
SITE = {"id": "testby", "name": "Testby kommun", "kind": "municipality", "base_url": "https://testby.example",
        "host": "testby.example"}


def build_archive(path: Path) -> Path:
    db = open_archive(path)
    store_site(db, SITE, "2024-01-01T00:00:00+00:00")
    for n in range(50):
        store_page(db, SITE["id"], {"url": f"https://testby.example/p{n}", "title": f"Sida {n}",
                                    "text": "Projektet finansieras av Europeiska socialfonden. " * 20},
                   [], "2024-01-01T00:00:00+00:00")
    db.close()
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(command: list[str], base: str, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(base + "/-/versions.json") == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"server did not start: {log.read_text()[-2000:]}")


def measure(name: str, command: list[str], port: int, requests: int, blob: int, log: Path) -> None:
    base = f"http://127.0.0.1:{port}"
    process = start(command, base, log)
    try:
        cpu, wall = cpu_seconds(process.pid), time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(get, [f"{base}/no_such_db_{n}/pages" for n in range(requests)]))
        wall, cpu = time.perf_counter() - wall, cpu_seconds(process.pid) - cpu
        after = time.perf_counter()
        get(base + "/-/versions.json")
        versions = time.perf_counter() - after
        print(f"{name}: {requests} missing pages ({statuses.count(404)} x 404) in {wall:.2f} s wall, "
              f"{cpu:.2f} s server CPU ({cpu / requests * 1000:.1f} ms each); /-/versions.json after: "
              f"{versions * 1000:.0f} ms; log {len(log.read_text().splitlines())} lines")
        for sql in (f"select length(randomblob({blob}))", "select length(zeroblob(10000000000))"):
            began = time.perf_counter()
            status = get(f"{base}/archive.json?" + urllib.parse.urlencode({"sql": sql}))
            print(f"{name}: {sql} -> HTTP {status} in {time.perf_counter() - began:.3f} s")
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--baseline-requests", type=int, default=50)
    parser.add_argument("--baseline-blob", type=int, default=100_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = build_archive(Path(tmp) / "archive.db")
        port = free_port()
        measure("baseline (plain datasette)", [str(BIN / "datasette"), "serve", str(db), "--port", str(port)], port,
                args.baseline_requests, args.baseline_blob, Path(tmp) / "baseline.log")
        port = free_port()
        measure("kommunarkiv serve", [str(BIN / "kommunarkiv"), "serve", "--db", str(db), "--port", str(port)], port,
                args.requests, 1_000_000_000, Path(tmp) / "serve.log")


if __name__ == "__main__":
    main()
