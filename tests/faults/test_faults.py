"""Nothing lost, nothing doubled, no false success: sync batches against a worker killed with -9,
a PostgreSQL restart (of a cluster of the test's own) and a SQLite file system turned read-only,
through a real 2-worker gunicorn.

Phones re-send a batch until it is answered (tests/faults/phone.py); each test requires that the
fault really hit requests (some attempts failed), that every 'stored' answer was committed when
it was given, and that the database ends with every record exactly once, counted once by the rollup.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ENGINES
from tests.faults.conftest import (
    assert_each_stored_once, make_phone, private_postgres, start_server, stop_server, worker_pids,
)


def sync_in_threads(server, phones: list, batches: int, size: int, pause: float = 0.0) -> None:
    """Each phone signs in and sends its batches in its own thread; errors surface here."""
    errors: list[BaseException] = []

    def run(phone, seed):
        try:
            rng = random.Random(seed)
            bootstrap = phone.sign_in()
            school_id = bootstrap["schools"][0]["id"]
            for _ in range(batches):
                phone.send_until_answered(school_id, phone.batch(bootstrap, size, rng))
                time.sleep(pause)
        except BaseException as error:  # noqa: BLE001  (re-raised in the test's thread)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(phone, n), daemon=True) for n, phone in enumerate(phones)]
    for thread in threads:
        thread.start()
    end = time.monotonic() + 180
    for thread in threads:
        thread.join(timeout=max(1, end - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "the phones did not finish within 180 s"
    if errors:
        raise errors[0]


@contextmanager
def running(server, phones: list, batches: int, size: int, pause: float = 0.0):
    """Phones syncing in the background while the body injects a fault, once each has had an answer;
    waits for them at the end."""
    outcome: list[BaseException] = []

    def run():
        try:
            sync_in_threads(server, phones, batches, size, pause)
        except BaseException as error:  # noqa: BLE001
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    end = time.monotonic() + 60
    while not all(phone.answered for phone in phones) and thread.is_alive():
        assert time.monotonic() < end, "the phones got no first answer within 60 s"
        time.sleep(0.05)
    yield
    thread.join(timeout=200)
    assert not thread.is_alive(), "the phones did not finish"
    if outcome:
        raise outcome[0]


def a_batch_in_flight(phones: list, seconds: float = 10) -> bool:
    """Wait until some phone has a sync request out (a kill then lands mid-batch whenever it picks that
    request's worker, however fast syncs get); False if none goes out within `seconds`."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if any(phone.in_flight for phone in phones):
            return True
        time.sleep(0.001)
    return False


@pytest.mark.parametrize("engine", ENGINES)
def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(engine, tmp_path):
    server, pg_name = start_server(engine, tmp_path)
    try:
        phones = [make_phone(server) for _ in range(2)]
        kills = 0
        with running(server, phones, batches=40, size=100):  # enough to outlast the kills, however fast syncs get
            chance = random.Random(9)
            while kills < 12 and sum(len(phone.failures) for phone in phones) < 3:
                time.sleep(chance.uniform(0.1, 0.4))
                if not a_batch_in_flight(phones):
                    break  # the phones are done
                workers = worker_pids(server)
                if workers:
                    os.kill(chance.choice(workers), signal.SIGKILL)
                    kills += 1
        assert sum(len(phone.failures) for phone in phones) >= 1, f"{kills} kills never hit a request in flight"
        assert_each_stored_once(server, phones)
    finally:
        stop_server(server, pg_name)


def test_postgresql_restarted_during_a_run_loses_and_doubles_nothing(tmp_path, is_root):
    with private_postgres() as cluster:
        server, _ = start_server("postgresql", tmp_path, database_url=cluster.url)
        try:
            phones = [make_phone(server) for _ in range(2)]
            with running(server, phones, batches=20, size=50, pause=0.05):
                restarted = cluster.pg_ctl("restart", "-m", "fast")
                assert restarted.returncode == 0, restarted.stderr
            failures = [failure for phone in phones for failure in phone.failures]
            assert failures, "the restart never hit a request"
            assert_each_stored_once(server, phones)
        finally:
            stop_server(server, None)


@contextmanager
def own_mount(folder: Path):
    """`folder` as a bind mount of itself, so it can be remounted read-only on its own."""
    folder.mkdir()
    subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True, timeout=30)

    def remount(mode: str) -> None:
        """Read-only waits until no process still holds a file open for writing (a killed worker exiting)."""
        for _attempt in range(100):
            done = subprocess.run(["mount", "-o", f"remount,bind,{mode}", str(folder)], capture_output=True, timeout=30)
            if done.returncode == 0:
                return
            time.sleep(0.1)
        raise AssertionError(f"could not remount {folder} {mode}: {done.stderr.decode()}")

    try:
        yield remount
    finally:
        subprocess.run(["umount", "-l", str(folder)], timeout=30)


def test_a_sqlite_disk_turned_read_only_loses_and_doubles_nothing(tmp_path, is_root):
    """The host remounts the database's disk read-only and the service restarts; later the disk is
    writable again and the same, still running, server recovers without another restart."""
    with own_mount(tmp_path / "disk") as remount:
        server, _ = start_server("sqlite", tmp_path, database_dir=tmp_path / "disk")
        try:
            phone = make_phone(server)
            bootstrap = phone.sign_in()
            school_id, rng = bootstrap["schools"][0]["id"], random.Random(3)
            for _ in range(3):
                assert phone.send_until_answered(school_id, phone.batch(bootstrap, 50, rng)) == 0

            server.stop()
            remount("ro")
            server.start(healthy=False)
            writable_again = threading.Timer(3, remount, args=("rw",))
            writable_again.start()
            try:
                refused = phone.send_until_answered(school_id, phone.batch(bootstrap, 50, rng))
            finally:
                writable_again.join()
            assert refused >= 1 and all(failure.startswith("503") for failure in phone.failures), phone.failures
            for _ in range(2):
                assert phone.send_until_answered(school_id, phone.batch(bootstrap, 50, rng)) == 0
            assert_each_stored_once(server, [phone])
        finally:
            server.stop()
            server.engine_sql.dispose()
