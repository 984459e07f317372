"""SQLite's log is copied into the database file after a commit, by a background thread, not inside the commit.

Real SQLite files, real threads. What is observable from outside: the database file itself. Pages
a commit writes live in the log until a checkpoint copies them into the file, so the file grows
only when they are copied.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, text

from server import wal

PAGES = 2_000  # twice SQLite's own threshold: its default would checkpoint inside this commit
ROW = b"x" * 3_000  # about one 4 KiB page a row


def wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def engine(tmp_path, monkeypatch):
    monkeypatch.setattr(wal, "SETTLE_SECONDS", 0.5)  # room to look at the file before the copy
    engine = create_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE page (id INTEGER PRIMARY KEY, body BLOB)"))
    # The thread takes a round's files off `_pending` before it copies them: wait for the copy itself,
    # the schema and the table's root page in the file, so no test sees this commit's copy as its own.
    assert wait_for(lambda: not wal.CHECKPOINTER._pending and file_size(engine) >= 2 * 4096)
    yield engine
    engine.dispose()


def write_pages(engine, count: int = PAGES) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO page (body) VALUES (:body)"), [{"body": ROW}] * count)


def file_size(engine) -> int:
    return os.path.getsize(engine.url.database)


def test_a_large_commit_returns_before_its_pages_are_copied_and_they_are_copied_after(engine):
    before = file_size(engine)
    write_pages(engine)
    assert file_size(engine) == before, "the commit copied the log into the file itself"
    assert wait_for(lambda: file_size(engine) > before + (PAGES - 100) * 4096)
    with sqlite3.connect(engine.url.database) as reader:
        assert reader.execute("SELECT count(*) FROM page").fetchone() == (PAGES,)


def test_every_connection_keeps_sqlites_own_checkpoint_as_a_backstop(engine):
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == wal.BACKSTOP_PAGES


def test_a_reader_holding_the_newest_pages_delays_the_copy_until_it_lets_go(engine):
    before = file_size(engine)
    reader = sqlite3.connect(engine.url.database, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM page").fetchone()  # a snapshot from before the write
    write_pages(engine)
    time.sleep(wal.SETTLE_SECONDS + 0.3)
    assert file_size(engine) == before, "pages a reader's snapshot may still need were copied over"
    reader.execute("COMMIT")
    reader.close()
    write_pages(engine, 10)  # the next commit sends the thread again
    assert wait_for(lambda: file_size(engine) > before + (PAGES - 100) * 4096)


def test_the_thread_ends_when_idle_and_the_next_commit_starts_it_again(engine, monkeypatch):
    monkeypatch.setattr(wal, "IDLE_SECONDS", 0.2)
    write_pages(engine, 10)
    wal.CHECKPOINTER._nudged.set()  # wake a thread that waits with the longer idle time
    assert wait_for(lambda: wal.CHECKPOINTER._thread is None)
    assert "sqlite-wal-checkpoint" not in {thread.name for thread in threading.enumerate()}
    before = file_size(engine)
    write_pages(engine)
    assert wait_for(lambda: file_size(engine) > before + (PAGES - 100) * 4096)


def test_a_database_file_that_went_away_is_not_created_again(tmp_path):
    gone = tmp_path / "gone.db"
    assert wal.checkpoint(str(gone)) is True
    assert not gone.exists()
