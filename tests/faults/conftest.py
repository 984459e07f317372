"""A real gunicorn (2 workers) per test on its own database, and phones that sync against it."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy

from tests.browser.conftest import LiveServer
from tests.conftest import database_url_for, drop_postgres_database, skip_or_fail
from tests.faults.phone import Phone
from tests.subprocesses import free_port


def start_server(engine: str, workdir: Path, database_dir: Path | None = None, database_url: str | None = None):
    """Seed and start a 2-worker server; (server, database name to drop or None)."""
    url, pg_name = (database_url, None) if database_url else database_url_for(engine, database_dir or workdir)
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


class PrivateCluster:
    """A PostgreSQL cluster of the test's own on a free loopback port, so restarting it cannot refuse
    another xdist worker's connections to the shared cluster."""

    def __init__(self, bindir: Path, folder: Path):
        self.bindir, self.folder, self.port = bindir, folder, free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> subprocess.CompletedProcess:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        return self.as_postgres(str(self.bindir / "pg_ctl"), "-D", str(self.folder / "data"), "-l",
                                str(self.folder / "log"), "-o", options, "-w", "-t", "60", *args)

    def as_postgres(self, *command: str) -> subprocess.CompletedProcess:
        return subprocess.run(["runuser", "-u", "postgres", "--", *command], capture_output=True, text=True, timeout=120)


@contextmanager
def private_postgres():
    """Initialise, start and finally remove a throwaway cluster with the machine's PostgreSQL binaries."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found or shutil.which("runuser") is None:
        skip_or_fail("a private PostgreSQL cluster needs the server's binaries (initdb) and runuser")
    folder = Path(tempfile.mkdtemp(prefix="hallpulse-pg-"))
    shutil.chown(folder, "postgres", "postgres")
    cluster = PrivateCluster(Path(found[-1]).parent, folder)
    try:
        made = cluster.as_postgres(str(cluster.bindir / "initdb"), "-D", str(folder / "data"), "-U", "postgres",
                                   "-A", "trust", "--no-sync")
        assert made.returncode == 0, made.stderr
        started = cluster.pg_ctl("start")
        assert started.returncode == 0, started.stderr + (folder / "log").read_text()
        yield cluster
    finally:
        cluster.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(folder, ignore_errors=True)
