"""A crawl run's totals: an interrupted run keeps its counts so far (and its frontier for --resume)."""
from __future__ import annotations

from pipelines.runs import finish_run, interrupt_run, record_outcome, start_run
from pipelines.store import open_archive, record_error, store_site, utc_now, write_transaction

SITE = {"id": "testby", "name": "Testby kommun", "base_url": "http://127.0.0.1:1/"}


def test_an_interrupted_run_counts_what_it_answered_and_keeps_its_frontier(tmp_path) -> None:
    db = open_archive(tmp_path / "archive.db")
    now = utc_now()
    store_site(db, SITE, now)
    run_id = start_run(db, [SITE], 100, now)
    with write_transaction(db):
        for n, outcome in enumerate(["new", "new", "unchanged", "changed"]):
            record_outcome(db, run_id, f"http://127.0.0.1:1/sida-{n}", SITE["id"], outcome,
                           [("http://127.0.0.1:1/kvar", 0, 1)])
    record_error(db, "http://127.0.0.1:1/trasig", SITE["id"], "http_5xx", "HTTP 500", now, run_id)
    interrupt_run(db, run_id, 12_345)
    run = db.table("crawl_runs").get(run_id)
    assert (run["status"], run["pages_fetched"], run["pages_new"], run["pages_unchanged"], run["pages_changed"],
            run["errors"], run["bytes_received"]) == ("interrupted", 4, 2, 1, 1, 1, 12_345)
    assert db.execute("select count(*) from crawl_frontier where run_id = ?", [run_id]).fetchone()[0] == 5
    finish_run(db, run_id, 100, 3, utc_now())  # the resumed run, once done, is totalled again from its frontier
    run = db.table("crawl_runs").get(run_id)
    assert (run["status"], run["pages_fetched"], run["bytes_received"]) == ("finished", 4, 12_445)
