"""A real gunicorn (2 workers) per test on its own database, and phones that sync against it."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import sqlalchemy

from tests.browser.conftest import LiveServer
from tests.conftest import database_url_for, drop_postgres_database, skip_or_fail
from tests.faults.phone import Phone


def start_server(engine: str, workdir: Path, database_dir: Path | None = None):
    """Seed and start a 2-worker server; (server, database name to drop or None)."""
    url, pg_name = database_url_for(engine, database_dir or workdir)
    server = LiveServer(engine, url, workdir, workers=2)
    server.prepare()
    server.start()
    return server, pg_name


def stop_server(server: LiveServer, pg_name: str | None) -> None:
    server.stop()
    server.engine_sql.dispose()
    if pg_name:
        drop_postgres_database(pg_name)


def hex_ids(rows) -> set[str]:
    return {str(row["id"]).replace("-", "") for row in rows}


def committed_ids(server: LiveServer, ids: list[str]) -> set[str]:
    """The ids among these that the database holds, read with plain SQL (retried while it restarts)."""
    wanted = {record_id.replace("-", ""): record_id for record_id in ids}
    for _attempt in range(60):
        try:
            return {wanted[found] for found in hex_ids(server.rows("SELECT id FROM observation")) if found in wanted}
        except sqlalchemy.exc.OperationalError:
            time.sleep(0.5)
    raise AssertionError("the database did not come back to be read")


def make_phone(server: LiveServer) -> Phone:
    user = server.next_user()
    return Phone(server.url, user["email"], user["password"], committed=lambda ids: committed_ids(server, ids))


def assert_each_stored_once(server: LiveServer, phones: list[Phone]) -> None:
    """Every record sent is in the database exactly once, nothing else is, and the rollup counted each once."""
    sent = [record_id for phone in phones for record_id in phone.sent]
    rows = server.rows("SELECT id FROM observation")
    assert len(rows) == len(hex_ids(rows)) == len(set(sent)) == len(sent)
    assert hex_ids(rows) == {record_id.replace("-", "") for record_id in sent}
    assert [phone.false_successes for phone in phones] == [[] for _ in phones]
    [counted] = server.rows("SELECT COALESCE(SUM(n), 0) AS n FROM heatmap_trait_day WHERE facet = 'all' AND trait_id = 0")
    assert counted["n"] == len(sent), "the heatmap rollup must count each conversation once"


def worker_pids(server: LiveServer) -> list[int]:
    """gunicorn's workers: the children of its master process."""
    master, found = server.server.process.pid, []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                found.append(int(entry.name))
    return found


@pytest.fixture()
def is_root():
    if os.geteuid() != 0:
        skip_or_fail("this fault needs root (to restart PostgreSQL or to remount a file system)")
