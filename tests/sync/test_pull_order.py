"""The own-records pull never strands a phone: not after a record stamped in the future, not after the
server's clock steps back, not when a write commits after a later one (issue 14, point 6).

The pull pages by the school's change number, not by updated_at; these tests drive it only through
the API (and the server's clock), so they describe what a phone sees.
"""
from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

import server.db
from server.observations import service
from server.observations.models import Observation
from tests import factories
from tests.conftest import ApiClient
from tests.followups import helpers as follow_ups
from tests.heatmaps.test_upkeep_plans import captured, full_scans  # noqa: F401  (captured: a fixture)
from tests.sync.conftest import observation_record, statuses, sync, walk_record


class ShiftedClock(datetime):
    """The server's wall clock (server.db.utcnow reads it), `offset` away from the real one."""

    offset = timedelta(0)

    @classmethod
    def now(cls, tz=None):
        return datetime.now(tz) + cls.offset


@pytest.fixture()
def clock(monkeypatch):
    monkeypatch.setattr(ShiftedClock, "offset", timedelta(0))
    monkeypatch.setattr(server.db, "datetime", ShiftedClock)
    return ShiftedClock


def pull_all(client, path: str, school_id: int, since: str | None = None, limit: int = 1) -> tuple[list[str], str]:
    """Page through a pull as the app does (has_more: fetch again now): (ids in order, the cursor it keeps)."""
    seen = []
    for _ in range(50):
        query = f"{path}?school_id={school_id}&limit={limit}" + (f"&since={since}" if since else "")
        response = client.get(query)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        seen += [item["id"] for item in body["items"]]
        since = body["next_cursor"]
        if not body["has_more"]:
            return seen, since
    raise AssertionError("the pull never ended")


def stamp_in_the_future(db, model, ids, ahead: timedelta) -> None:
    """Stamp rows as the demo loader did (updated_at two weeks after the day it was loaded)."""
    for row in db.session.scalars(select(model).where(model.id.in_([uuid.UUID(str(i)) for i in ids]))):
        row.updated_at = datetime.now(timezone.utc) + ahead
    db.session.commit()


def test_records_stamped_in_the_future_do_not_strand_later_changes(db, observer, school):
    client, _ = observer
    ahead = [observation_record(school), observation_record(school)]
    sync(client, school.id, *ahead)
    stamp_in_the_future(db, Observation, [r["id"] for r in ahead], timedelta(days=14))
    seen, cursor = pull_all(client, "/api/v1/observations", school.id)
    assert sorted(seen) == sorted(r["id"] for r in ahead)

    later = observation_record(school)
    assert statuses(sync(client, school.id, later)) == ["stored"]
    seen, _ = pull_all(client, "/api/v1/observations", school.id, since=cursor)
    assert seen == [later["id"]]


def test_follow_ups_stamped_in_the_future_do_not_strand_later_ones(db, login_as, school):
    client, user = login_as("observer")
    future = datetime.now(timezone.utc) + timedelta(days=14)
    for _ in range(2):
        follow_ups.create_follow_up(school, user, updated_at=future)
    _, cursor = pull_all(client, "/api/v1/follow-ups", school.id)

    later = follow_ups.record(user.id)
    assert statuses(sync(client, school.id, later)) == ["stored"]
    seen, _ = pull_all(client, "/api/v1/follow-ups", school.id, since=cursor)
    assert seen == [later["id"]]


@pytest.mark.parametrize("path, record", [("/api/v1/observations", observation_record), ("/api/v1/walks", None)])
def test_a_server_clock_stepped_back_does_not_strand_phones(db, observer, school, clock, path, record):
    client, _ = observer
    make = (lambda: record(school)) if record else walk_record
    clock.offset = timedelta(hours=6)  # the server's clock runs six hours ahead…
    before = make()
    sync(client, school.id, before)
    seen, cursor = pull_all(client, path, school.id)
    assert seen == [before["id"]]

    clock.offset = timedelta(0)  # …until it is put right
    after = make()
    assert statuses(sync(client, school.id, after)) == ["stored"]
    seen, _ = pull_all(client, path, school.id, since=cursor)
    assert seen == [after["id"]]


def signed_in(app, user) -> ApiClient:
    """Another device of the same person."""
    app.test_client_class = ApiClient
    device = app.test_client()
    response = device.post("/api/v1/auth/login", json={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 200, response.get_data(as_text=True)
    device.refresh_csrf()
    return device


def test_a_change_that_commits_late_is_pulled_all_the_same(app, db, school, clock, monkeypatch):
    """Writer A takes its place, then stalls before committing; writer B of the same school comes later.

    A's stamp is taken two minutes before it commits (the clock set back stands in for a slow
    transaction, longer than any settle window). Meanwhile a phone pulls. Once A commits, the
    phone's next pull from the cursor it kept must bring A's record, and B's.
    """
    user = factories.create_user(role="observer", school=school)
    phone, device_a, device_b = (signed_in(app, user) for _ in range(3))
    first = observation_record(school)
    sync(phone, school.id, first)
    _, cursor = pull_all(phone, "/api/v1/observations", school.id)

    record_a, record_b = observation_record(school), observation_record(school)
    a_written, a_may_commit = threading.Event(), threading.Event()
    write_observations = service.write_observations

    def stalling_write(changes, now):
        lost = write_observations(changes, now)
        if uuid.UUID(record_a["id"]) in changes:
            a_written.set()
            a_may_commit.wait(timeout=30)
        return lost

    monkeypatch.setattr(service, "write_observations", stalling_write)
    answers = {}

    def send(name, device, record):
        answers[name] = statuses(sync(device, school.id, record))

    clock.offset = -timedelta(minutes=2)
    writer_a = threading.Thread(target=send, args=("a", device_a, record_a))
    writer_a.start()
    try:
        assert a_written.wait(timeout=30), "writer A never reached its write"
        clock.offset = timedelta(0)
        writer_b = threading.Thread(target=send, args=("b", device_b, record_b))
        writer_b.start()
        writer_b.join(timeout=1.0)  # B commits now if nothing makes it wait for A
        b_waited = writer_b.is_alive()
        first_pull, cursor = pull_all(phone, "/api/v1/observations", school.id, since=cursor)
    finally:
        a_may_commit.set()
        writer_a.join(timeout=30)
    writer_b.join(timeout=30)
    assert answers == {"a": ["stored"], "b": ["stored"]}
    assert b_waited, "a school's writers take turns (SQLite: one writer; PostgreSQL: the school's change counter)"
    assert record_a["id"] not in first_pull  # not committed yet

    second_pull, _ = pull_all(phone, "/api/v1/observations", school.id, since=cursor)
    assert sorted(first_pull + second_pull) == sorted([record_a["id"], record_b["id"]])


@pytest.mark.parametrize("path", ["/api/v1/observations", "/api/v1/walks", "/api/v1/follow-ups"])
def test_a_pull_from_a_cursor_reads_through_an_index(db, observer, school, captured, path):
    """Pulls run often, from every phone: from a cursor they reach the rows by an index range, not a scan."""
    client, user = observer
    sync(client, school.id, walk_record(), observation_record(school), follow_ups.record(user.id))
    _, cursor = pull_all(client, path, school.id)
    captured.clear()
    pull_all(client, path, school.id, since=cursor)
    assert any("ORDER BY" in statement and "change_seq" in statement for statement, _ in captured)
    scans = {statement: found for statement, parameters in captured if (found := full_scans(db, statement, parameters))}
    assert scans == {}


def test_writers_of_different_schools_do_not_wait_on_each_other(app, db, school, other_school, monkeypatch):
    """PostgreSQL: the change counter is per school, so a stalled write in one school holds up no other."""
    if app.config["ENGINE_NAME"] != "postgresql":
        pytest.skip("SQLite has one writer for the whole database")
    here, there = (signed_in(app, factories.create_user(role="observer", school=s)) for s in (school, other_school))
    record_here, record_there = observation_record(school), observation_record(other_school)
    here_written, here_may_commit = threading.Event(), threading.Event()
    write_observations = service.write_observations

    def stalling_write(changes, now):
        lost = write_observations(changes, now)
        if uuid.UUID(record_here["id"]) in changes:
            here_written.set()
            here_may_commit.wait(timeout=30)
        return lost

    monkeypatch.setattr(service, "write_observations", stalling_write)
    answers = {}
    writer = threading.Thread(target=lambda: answers.update(here=statuses(sync(here, school.id, record_here))))
    writer.start()
    try:
        assert here_written.wait(timeout=30)
        other = threading.Thread(target=lambda: answers.update(there=statuses(sync(there, other_school.id, record_there))))
        other.start()
        other.join(timeout=10)
        assert answers == {"there": ["stored"]}  # done while the first school's write is still open
    finally:
        here_may_commit.set()
        writer.join(timeout=30)
    assert answers == {"here": ["stored"], "there": ["stored"]}
