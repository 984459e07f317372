"""`hallpulse backup` / `restore` (SQLite): a consistent copy taken while the app writes, restored intact."""
from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
import uuid
from contextlib import closing
from datetime import datetime, timezone

import pytest

from tests.conftest import TEST_SETTINGS

WRITES_AT_MOST = 2000
WRITING_SECONDS_AT_MOST = 30


def fresh_app(path, instance_dir):
    from server import create_app
    from server.cli import upgrade_database

    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "INSTANCE_DIR": str(instance_dir)})
    with app.app_context():
        upgrade_database()
    return app


def seed(app) -> int:
    from tests import factories

    with app.app_context():
        school = factories.create_school("Backup Middle")
        factories.create_user("principal", school, email="principal@backup.example.org")
        return school.id


def write_until(app, school_id: int, stop: threading.Event, written: list) -> None:
    """One walk and one audit event per transaction: a consistent copy has exactly as many of each."""
    from server.audit.models import AuditEvent
    from server.db import db
    from server.walks.models import Walk

    deadline = time.monotonic() + WRITING_SECONDS_AT_MOST
    with app.app_context():
        while not stop.is_set() and len(written) < WRITES_AT_MOST and time.monotonic() < deadline:
            walk_id = uuid.uuid4()
            db.session.add(Walk(id=walk_id, school_id=school_id, started_at=datetime.now(timezone.utc)))
            db.session.add(AuditEvent(action="test.walk_written", school_id=school_id, object_id=str(walk_id)))
            db.session.commit()
            written.append(walk_id)
        db.session.remove()


def table_fingerprints(path) -> dict[str, tuple[int, str]]:
    """Per table: its row count and a checksum of its rows (order-independent)."""
    with closing(sqlite3.connect(path)) as connection:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        fingerprints = {}
        for name in names:
            rows = sorted(repr(row) for row in connection.execute(f'SELECT * FROM "{name}"'))
            fingerprints[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return fingerprints


def scalar(path, sql: str):
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql).fetchone()[0]


@pytest.fixture()
def live(tmp_path, instance_dir):
    path = tmp_path / "live.db"
    app = fresh_app(path, instance_dir)
    return app, path, seed(app)


def test_a_backup_taken_while_the_app_writes_restores_identically(live, tmp_path, instance_dir):
    app, live_path, school_id = live
    stop, written = threading.Event(), []
    writer = threading.Thread(target=write_until, args=(app, school_id, stop, written), daemon=True)
    writer.start()
    deadline = time.monotonic() + 10
    while len(written) < 50 and time.monotonic() < deadline:
        time.sleep(0.01)
    backup_path = tmp_path / "hallpulse-backup.db"
    result = app.test_cli_runner().invoke(args=["backup", str(backup_path)])
    during = len(written)
    stop.set()
    writer.join(timeout=WRITING_SECONDS_AT_MOST)
    assert result.exit_code == 0, result.output
    walks = scalar(backup_path, "SELECT count(*) FROM walk")
    assert 50 <= walks <= during + 1, "the copy holds the writes made before it, none from after"
    assert walks == scalar(backup_path, "SELECT count(*) FROM audit_event WHERE action = 'test.walk_written'")
    assert scalar(live_path, "SELECT count(*) FROM walk") == len(written)

    restored_path = tmp_path / "restored" / "hallpulse.db"
    restored_path.parent.mkdir()
    fresh = fresh_app(restored_path, instance_dir)
    restored = fresh.test_cli_runner().invoke(args=["restore", str(backup_path), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert table_fingerprints(restored_path) == table_fingerprints(backup_path)
    assert table_fingerprints(restored_path)["walk"][0] == walks


def test_the_restored_database_accepts_its_users_passwords(live, tmp_path, instance_dir):
    app, _, _ = live
    backup_path = tmp_path / "backup.db"
    assert app.test_cli_runner().invoke(args=["backup", str(backup_path)]).exit_code == 0
    fresh = fresh_app(tmp_path / "fresh.db", instance_dir)
    assert fresh.test_cli_runner().invoke(args=["restore", str(backup_path), "--yes"]).exit_code == 0
    from tests.factories import PASSWORD

    with fresh.app_context():
        from server.auth.service import authenticate

        assert authenticate("principal@backup.example.org", PASSWORD) is not None


def test_restore_without_yes_changes_nothing(live, tmp_path, instance_dir):
    app, _, _ = live
    backup_path = tmp_path / "backup.db"
    app.test_cli_runner().invoke(args=["backup", str(backup_path)])
    fresh_path = tmp_path / "fresh.db"
    fresh = fresh_app(fresh_path, instance_dir)
    before = table_fingerprints(fresh_path)
    result = fresh.test_cli_runner().invoke(args=["restore", str(backup_path)])
    assert result.exit_code != 0 and "--yes" in result.output
    assert table_fingerprints(fresh_path) == before


def test_restore_refuses_a_file_that_is_not_a_hallway_pulse_database(live, tmp_path):
    app, live_path, _ = live
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
    before = table_fingerprints(live_path)
    result = app.test_cli_runner().invoke(args=["restore", str(other), "--yes"])
    assert result.exit_code != 0 and "not a Hallway Pulse database" in result.output
    assert table_fingerprints(live_path) == before


def test_restore_refuses_an_unknown_schema_revision(live, tmp_path):
    app, live_path, _ = live
    backup_path = tmp_path / "backup.db"
    app.test_cli_runner().invoke(args=["backup", str(backup_path)])
    with closing(sqlite3.connect(backup_path)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
        connection.commit()
    result = app.test_cli_runner().invoke(args=["restore", str(backup_path), "--yes"])
    assert result.exit_code != 0 and "unknown schema revision" in result.output


def test_backup_never_overwrites_a_file_without_force(live, tmp_path):
    app, _, _ = live
    existing = tmp_path / "keep.db"
    existing.write_bytes(b"precious")
    result = app.test_cli_runner().invoke(args=["backup", str(existing)])
    assert result.exit_code != 0 and existing.read_bytes() == b"precious"


def test_postgresql_backups_point_to_pg_dump(app, runner, tmp_path):
    if app.config["ENGINE_NAME"] != "postgresql":
        pytest.skip("on SQLite the commands work: see the tests above")
    for command in (["backup", str(tmp_path / "x.db")], ["restore", __file__, "--yes"]):
        result = runner.invoke(args=command)
        assert result.exit_code != 0 and "pg_dump -Fc" in result.output and "pg_restore" in result.output
