"""SQLite: the write-ahead log is copied into the database file after a commit, not inside it.

SQLite's default copies the log (a checkpoint: the pages, then two fsyncs) inside whichever commit
takes it past 1,000 pages. A sync batch at a 300k-observation school writes ~1,900 pages (the rows,
their indexes, the rollup and the conversation digest), so every batch paid the copy inside the
phone's request: 51 of its 124 ms (docs/performance.md, issue 15, "Where it stands"). As
PostgreSQL's checkpointer does, one background thread per process copies the log soon after a
commit, while the next request runs; a commit only appends to the log. A PASSIVE checkpoint takes
no lock a reader or writer waits on. A commit still checkpoints itself once the log passes
`BACKSTOP_PAGES`, the bound should this thread fall behind or not run.

The thread opens a connection for each round and closes it: a connection kept open across a disk
fault would hold the log's index read-only and stop every later writer (db.close_spent_connections).
It ends after `IDLE_SECONDS` without a commit and starts again with the next one.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from urllib.parse import quote

BACKSTOP_PAGES = 10_000  # 40 MB of 4 KiB pages
SETTLE_SECONDS = 0.02  # the commit event fires before SQLite's commit returns
RETRIES = 5  # a round that could not copy everything (a reader holds the newest pages) is tried again
RETRY_SECONDS = 0.2
IDLE_SECONDS = 30.0

log = logging.getLogger(__name__)


class Checkpointer:
    """Per process: the database files committed to since the last round, and the thread that copies them."""

    def __init__(self):
        self._lock = threading.Lock()
        self._nudged = threading.Event()
        self._pending: dict[str, int] = {}  # database file → rounds tried
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def committed(self, path: str) -> None:
        with self._lock:
            if self._pid != os.getpid():  # a forked child: the parent's thread is not here
                self._pid, self._thread, self._pending = os.getpid(), None, {}
            self._pending[path] = 0
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sqlite-wal-checkpoint", daemon=True)
                self._thread.start()
            self._nudged.set()  # under the lock: an idle thread ends only if no commit came meanwhile

    def _run(self) -> None:
        while True:
            if not self._nudged.wait(IDLE_SECONDS):
                with self._lock:
                    if not self._nudged.is_set():
                        self._thread = None
                        return
            self._nudged.clear()
            time.sleep(SETTLE_SECONDS)
            with self._lock:
                rounds, self._pending = self._pending, {}
            for path, tried in rounds.items():
                if not checkpoint(path) and tried + 1 < RETRIES:
                    with self._lock:
                        self._pending.setdefault(path, tried + 1)
                    self._nudged.set()
            if self._nudged.is_set():
                time.sleep(RETRY_SECONDS)


def checkpoint(path: str) -> bool:
    """Copy what the log holds into the database file; whether all of it was copied."""
    try:
        connection = sqlite3.connect(f"file:{quote(path)}?mode=rw", uri=True, timeout=1.0, isolation_level=None)
    except sqlite3.Error as error:
        log.debug("WAL checkpoint of %s could not open: %s", path, error)
        return True
    try:
        _busy, frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return frames == copied or frames < 0
    except sqlite3.Error as error:  # the file went away or the disk failed: the next commit says so
        log.debug("WAL checkpoint of %s failed: %s", path, error)
        return True
    finally:
        connection.close()


CHECKPOINTER = Checkpointer()
