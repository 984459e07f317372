"""The server links co-listened logs to their session whatever order the phones sync in, counts the
conversation once, and never links across schools or outside a session's window."""
from __future__ import annotations

import itertools

import pytest

from server.heatmaps import rollup
from server.heatmaps.queries import CONVERSATIONS, Filters
from tests.colisten.helpers import link_state, log_record, session_record, sync


@pytest.fixture()
def phones(login_as):
    """Three observers of one school: the lead and two colleagues."""
    return [login_as("observer")[0], login_as("principal")[0], login_as("observer")[0]]


def conversations(school) -> int:
    """Conversations the heatmaps count, from the raw rows."""
    tallies = rollup.trait_tallies(Filters(school_ids=(school.id,)), [CONVERSATIONS], "all", None)
    return sum(counts[0] for counts in tallies.values())


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_three_observers_are_linked_in_any_order_and_counted_once(db, school, phones, order):
    rollup.rebuild(school.id)
    db.session.commit()
    session = session_record()
    lead_log = log_record(school, session["code"], levels={"evidence": 2})
    joiner_logs = [log_record(school, session["code"], at=12 + index) for index in range(2)]
    sends = [(phones[0], [session, lead_log]), (phones[1], [joiner_logs[0]]), (phones[2], [joiner_logs[1]])]
    for index in order:
        client, records = sends[index]
        sync(client, school, *records)

    assert link_state(lead_log, *joiner_logs) == [(session["id"], True), (session["id"], False), (session["id"], False)]
    assert conversations(school) == 1


def test_a_log_sent_before_its_session_waits_and_is_told_so(db, school, phones):
    session = session_record()
    joiner_log = log_record(school, session["code"])

    [result] = sync(phones[1], school, joiner_log)

    assert result["status"] == "stored"
    assert result["colisten"]["status"] == "waiting"
    assert "ordinary log" in result["colisten"]["message"]
    assert link_state(joiner_log) == [(None, True)]
    sync(phones[0], school, session)
    assert link_state(joiner_log) == [(session["id"], True)]  # the only log: it stands for the conversation


def test_a_log_after_its_session_is_linked_at_once(db, school, phones):
    session = session_record()
    sync(phones[0], school, session, log_record(school, session["code"]))

    [result] = sync(phones[1], school, log_record(school, session["code"]))

    assert result["colisten"] == {"status": "linked", "session_id": session["id"], "message": result["colisten"]["message"]}


def test_a_log_outside_the_window_stays_ordinary(db, school, phones):
    session = session_record(length=30)
    sync(phones[0], school, session)
    late = log_record(school, session["code"], at=45)

    [result] = sync(phones[1], school, late)

    assert result["colisten"]["status"] == "outside_window"
    assert link_state(late) == [(None, True)]


def test_a_code_of_another_school_is_never_linked(db, school, other_school, login_as, phones):
    far_client, _ = login_as("observer", target_school=other_school)
    session = session_record()
    sync(far_client, other_school, session, log_record(other_school, session["code"]))
    mine = log_record(school, session["code"])

    [result] = sync(phones[0], school, mine)

    assert result["colisten"]["status"] == "waiting"  # the same answer as a code nobody made
    assert link_state(mine) == [(None, True)]


def test_deleting_the_leads_log_hands_the_count_to_the_earliest_remaining(db, school, phones):
    rollup.rebuild(school.id)
    db.session.commit()
    session = session_record()
    lead_log = log_record(school, session["code"], at=20)
    early, late = log_record(school, session["code"], at=5), log_record(school, session["code"], at=30)
    sync(phones[0], school, session, lead_log)
    sync(phones[1], school, late)
    sync(phones[2], school, early)

    sync(phones[0], school, {"type": "deletion", "id": lead_log["id"], "entity": "observation", "version": 2})

    assert link_state(early, late) == [(session["id"], True), (session["id"], False)]
    assert conversations(school) == 1
    sync(phones[2], school, {"type": "deletion", "id": early["id"], "entity": "observation", "version": 2})
    assert link_state(late) == [(session["id"], True)]
    assert conversations(school) == 1


def test_editing_a_log_out_of_the_window_unlinks_it(db, school, phones):
    session = session_record(length=30)
    joiner_log = log_record(school, session["code"])
    sync(phones[0], school, session, log_record(school, session["code"]))
    sync(phones[1], school, joiner_log)

    [result] = sync(phones[1], school, {**joiner_log, "version": 2, "observed_at": log_record(school, None, at=50)["observed_at"]})

    assert result["colisten"]["status"] == "outside_window"
    assert link_state(joiner_log) == [(None, True)]


def test_a_resent_coded_log_is_unchanged_and_an_other_code_is_an_edit(db, school, phones):
    session = session_record()
    log = log_record(school, session["code"])
    sync(phones[0], school, session, log)

    assert sync(phones[0], school, log)[0]["status"] == "unchanged"
    assert sync(phones[0], school, {**log, "colisten_code": "ABCDEF"})[0]["status"] == "conflict"


@pytest.mark.parametrize("code", ["abcdef", "ABCDE", "ABCDEFG", "ABCDE0", "ABCDEI", 123456, "ABC\x00EF", ["ABCDEF"]])
def test_a_malformed_code_is_refused_and_nothing_stored(db, school, phones, code):
    [result] = sync(phones[0], school, log_record(school, code))

    assert result["status"] == "invalid" and "colisten_code" in result["errors"]


@pytest.mark.parametrize("change", [
    {"expires_at": "started"}, {"length": 13 * 60}, {"code": "0OI1L5"}, {"started_at": "2026-13-01T00:00:00Z"},
])
def test_a_malformed_session_is_refused(db, school, phones, change):
    session = session_record(length=change.get("length", 120))
    if change.get("expires_at") == "started":
        session["expires_at"] = session["started_at"]
    for key in ("code", "started_at"):
        if key in change:
            session[key] = change[key]

    [result] = sync(phones[0], school, session)

    assert result["status"] == "invalid"


def test_a_session_belongs_to_its_lead(db, school, phones):
    session = session_record()
    sync(phones[0], school, session)

    [result] = sync(phones[1], school, {**session, "version": 2})

    assert result == {"id": session["id"], "type": "colisten", "status": "invalid", "errors": {"id": ["Not found."]}}
