"""The lead ends a co-listen on the phone: a new version of the session record whose window closes at the
end, synced once like any edit. Logs made before the end stay linked; logs made after it stay ordinary."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from server.colisten.models import ColistenSession
from tests.colisten.helpers import link_state, log_record, moment, session_record, sync


@pytest.fixture()
def phones(login_as):
    """The lead and a colleague of one school."""
    return [login_as("observer")[0], login_as("observer")[0]]


def ended(session: dict, at: int) -> dict:
    """The session as the lead's phone sends it after "End co-listen" at `at` minutes."""
    return {**session, "version": session["version"] + 1, "expires_at": moment(at).isoformat()}


def stored_session(db, session: dict) -> ColistenSession:
    db.session.expire_all()
    return db.session.scalars(select(ColistenSession).where(ColistenSession.code == session["code"])).one()


def test_an_ended_session_is_stored_once_and_a_resend_is_unchanged(db, school, phones):
    session = session_record()
    sync(phones[0], school, session)

    end = ended(session, 20)  # made once: moment() moves with the clock

    assert sync(phones[0], school, end)[0]["status"] == "stored"
    assert sync(phones[0], school, end)[0]["status"] == "unchanged"
    row = stored_session(db, session)
    assert row.version == 2
    assert row.expires_at.timestamp() == datetime.fromisoformat(end["expires_at"]).timestamp()


def test_an_end_made_offline_before_the_first_send_is_stored_as_its_own_version(db, school, phones):
    """The phone's outbox keeps one entry per record: the ended version replaces the unsent start."""
    session = session_record()

    [result] = sync(phones[0], school, ended(session, 20))

    assert result["status"] == "stored"
    assert stored_session(db, session).version == 2


def test_a_colleagues_log_after_the_end_stays_ordinary_and_one_before_stays_linked(db, school, phones):
    session = session_record()
    lead_log = log_record(school, session["code"], at=5, levels={"evidence": 2})
    before_end = log_record(school, session["code"], at=8)
    after_end = log_record(school, session["code"], at=30)
    sync(phones[0], school, session, lead_log)
    sync(phones[0], school, ended(session, 10))

    results = sync(phones[1], school, before_end, after_end)

    assert [result["colisten"]["status"] for result in results] == ["linked", "outside_window"]
    assert link_state(lead_log, before_end, after_end) == [(session["id"], True), (session["id"], False), (None, True)]


def test_an_end_that_syncs_after_a_later_log_unlinks_it(db, school, phones):
    """Phones sync in any order: a log already linked is handed back to the heatmaps once the end arrives."""
    session = session_record()
    lead_log = log_record(school, session["code"], at=5)
    late = log_record(school, session["code"], at=30)
    sync(phones[0], school, session, lead_log)
    sync(phones[1], school, late)
    assert link_state(late) == [(session["id"], False)]

    sync(phones[0], school, ended(session, 10))

    assert link_state(lead_log, late) == [(session["id"], True), (None, True)]


def test_only_the_lead_can_end_a_session(db, school, phones):
    session = session_record()
    sync(phones[0], school, session)

    [result] = sync(phones[1], school, ended(session, 10))

    assert result["status"] == "invalid"
    assert stored_session(db, session).version == 1
