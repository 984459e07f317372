"""Several `hallpulse reminders send-due` processes started at once: every reminder delivered exactly once."""
from __future__ import annotations

import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from server.db import db as database
from server.followups.models import FollowUp
from server.push.models import Reminder, ReminderAttempt, ReminderStatus
from tests import factories
from tests.followups.helpers import now
from tests.push.conftest import add_device
from tests.push.receiver import PushReceiver
from tests.subprocesses import REPO, app_env, hallpulse_command, run_hallpulse

OWNERS = 10
FOLLOW_UPS_EACH = 50
PROCESS_TIMEOUT = 120


def seed_due_follow_ups(school, receiver: PushReceiver) -> set[str]:
    """OWNERS observers with one device each and FOLLOW_UPS_EACH due follow-ups each; their ids."""
    ids = set()
    due = now() - timedelta(minutes=1)
    for number in range(OWNERS):
        owner = factories.create_user("observer", school)
        add_device(owner, receiver.subscription(f"device-{number}"))
        rows = [{"id": uuid.uuid4(), "school_id": school.id, "owner_id": owner.id, "created_by_id": owner.id,
                 "action": f"Follow-up {number}-{n}", "due_at": due, "status": "open", "version": 1,
                 "created_at": due, "updated_at": due} for n in range(FOLLOW_UPS_EACH)]
        database.session.execute(insert(FollowUp), rows)
        ids |= {str(row["id"]) for row in rows}
    database.session.commit()
    return ids


def dispatcher_env(app) -> dict[str, str]:
    return app_env(Path(app.config["INSTANCE_DIR"]), DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                   HALLPULSE_ENV="testing", HALLPULSE_PUSH_ALLOW_LOOPBACK="1")


@pytest.mark.parametrize("processes", [2, 4])
def test_dispatchers_started_at_once_deliver_each_reminder_exactly_once(app, db, school, server_key, processes):
    with PushReceiver(server_key, delay=0.05, keep_payloads=False) as receiver:
        follow_up_ids = seed_due_follow_ups(school, receiver)
        command = [*hallpulse_command(), "reminders", "send-due", "--pool-size", "4"]
        started = [subprocess.Popen(command, env=dispatcher_env(app), cwd=REPO, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for _ in range(processes)]
        outputs = []
        try:
            for process in started:
                outputs.append(process.communicate(timeout=PROCESS_TIMEOUT))
        finally:
            for process in started:
                process.kill()
        counts = receiver.count()

    assert all(process.returncode == 0 for process in started), outputs
    assert receiver.errors == []
    assert set(counts) == follow_up_ids
    assert set(counts.values()) == {1}
    database.session.expire_all()
    statuses = database.session.execute(select(Reminder.status, func.count()).group_by(Reminder.status)).all()
    assert dict(statuses) == {ReminderStatus.SENT: OWNERS * FOLLOW_UPS_EACH}
    workers = database.session.scalars(select(ReminderAttempt.worker).distinct()).all()
    assert len(workers) >= 2, "the dispatchers did not overlap: the test proves nothing"


def test_reminders_run_passes_until_told_to_stop(app, db, school, server_key):
    with PushReceiver(server_key) as receiver:
        owner = factories.create_user("observer", school)
        add_device(owner, receiver.subscription("phone"))
        database.session.add(FollowUp(id=uuid.uuid4(), school_id=school.id, owner_id=owner.id, created_by_id=owner.id,
                                      action="Visit the data team", due_at=now() - timedelta(minutes=1)))
        database.session.commit()

        result = run_hallpulse("reminders", "run", "--interval", "0.1", "--max-passes", "3", env=dispatcher_env(app),
                               timeout=PROCESS_TIMEOUT)

    assert result.returncode == 0, result.stderr
    assert "stopped after 3 passes" in result.stdout
    assert len(receiver.deliveries) == 1 and receiver.errors == []


def test_send_due_without_a_vapid_key_explains_what_to_do(app, db, tmp_path):
    env = {**dispatcher_env(app), "HALLPULSE_INSTANCE": str(tmp_path)}

    result = run_hallpulse("reminders", "send-due", env=env, timeout=PROCESS_TIMEOUT)

    assert result.returncode == 1
    assert "hallpulse init" in result.stderr


def test_the_procfile_worker_line_runs_the_dispatcher(app, db, server_key):
    processes = dict(line.split(": ", 1) for line in (REPO / "Procfile").read_text().splitlines() if line.strip())
    command = processes["worker"].split()

    result = run_hallpulse(*command[1:], "--max-passes", "1", "--interval", "0.1", env=dispatcher_env(app),
                           timeout=PROCESS_TIMEOUT)

    assert command[:3] == ["hallpulse", "reminders", "run"]
    assert result.returncode == 0, result.stderr


def test_reminders_run_stops_cleanly_on_sigterm(app, db, server_key, tmp_path):
    import time

    from tests.subprocesses import Server

    with Server([*hallpulse_command(), "reminders", "run", "--interval", "60"], dispatcher_env(app), tmp_path) as worker:
        deadline = time.monotonic() + 60
        while "started" not in worker.output() and time.monotonic() < deadline:
            assert worker.process.poll() is None, worker.output()
            time.sleep(0.2)

        assert worker.stop(timeout=20) == 0
    assert "stopped after 1 pass." in worker.output()
