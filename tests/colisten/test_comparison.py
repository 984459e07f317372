"""The comparison is for the co-listen's observers only, and shows others' levels only once two logs have synced."""
from __future__ import annotations

import uuid

import pytest

from tests.colisten.helpers import log_record, session_record, sync


@pytest.fixture()
def synced_pair(school, login_as):
    (lead, lead_user), (colleague, colleague_user) = login_as("observer"), login_as("principal")
    session = session_record()
    sync(lead, school, session, log_record(school, session["code"], levels={"evidence": 2, "substantive": 1}))
    sync(colleague, school, log_record(school, session["code"], levels={"substantive": 1, "action": 1}))
    return session, lead, colleague, colleague_user


def test_both_observers_see_agreed_and_apart_traits_and_a_prompt(db, synced_pair):
    session, lead, colleague, colleague_user = synced_pair

    mine = lead.get(f"/api/v1/colisten/{session['id']}").get_json()
    theirs = colleague.get(f"/api/v1/colisten/{session['id']}").get_json()

    assert mine["ready"] and mine["lead"] and not theirs["lead"]
    assert mine["apart_two"] == ["Evidence"] and mine["apart_one"] == ["Action"]
    assert "Substantive" in mine["agreed"] and len(mine["agreed"]) == 5
    assert mine["prompt"] == "What did you each hear that made you tag Evidence the way you did?"
    assert [o["name"] for o in mine["observers"]] == ["You", colleague_user.name]
    assert next(t for t in mine["traits"] if t["key"] == "evidence")["levels"] == [2, 0]
    assert next(t for t in theirs["traits"] if t["key"] == "evidence")["levels"] == [0, 2]
    assert "note" not in str(mine)


def test_the_lead_sees_no_levels_until_a_colleague_has_synced(db, school, login_as):
    lead, _ = login_as("observer")
    session = session_record()
    sync(lead, school, session, log_record(school, session["code"]))

    body = lead.get(f"/api/v1/colisten/{session['id']}").get_json()

    assert (body["ready"], body["traits"], body["observers"], body["logs"]) == (False, [], [], 1)


def test_a_lead_whose_own_log_has_not_synced_is_not_shown_the_others(db, school, login_as):
    (lead, _), (colleague, _) = login_as("observer"), login_as("observer")
    session = session_record()
    sync(lead, school, session)
    sync(colleague, school, log_record(school, session["code"]))

    assert lead.get(f"/api/v1/colisten/{session['id']}").status_code == 404
    assert lead.get(f"/api/v1/colisten?school_id={school.id}").get_json() == {"items": []}


def test_three_observers_are_compared_by_the_spread_of_their_levels(db, school, login_as):
    phones = [login_as("observer")[0] for _ in range(3)]
    session = session_record()
    sync(phones[0], school, session, log_record(school, session["code"], levels={"evidence": 0}))
    sync(phones[1], school, log_record(school, session["code"], levels={"evidence": 1}))
    sync(phones[2], school, log_record(school, session["code"], levels={"evidence": 2}))

    [body] = phones[1].get(f"/api/v1/colisten?school_id={school.id}").get_json()["items"]

    assert body["logs"] == 3 and len(body["observers"]) == 3
    assert body["apart_two"] == ["Evidence"]


@pytest.mark.parametrize("who", ["same-school-observer", "principal", "viewer", "other-school", "anonymous"])
def test_anyone_but_its_observers_gets_the_same_404_as_a_missing_session(db, school, other_school, login_as, client,
                                                                          synced_pair, who):
    session = synced_pair[0]
    caller = {"same-school-observer": lambda: login_as("observer")[0], "principal": lambda: login_as("principal")[0],
              "viewer": lambda: login_as("viewer")[0], "other-school": lambda: login_as("principal", other_school)[0],
              "anonymous": lambda: client}[who]()

    found = caller.get(f"/api/v1/colisten/{session['id']}")
    missing = caller.get(f"/api/v1/colisten/{uuid.uuid4()}")

    assert found.status_code == missing.status_code and found.get_json() == missing.get_json()
    assert found.status_code in (401, 404)


def test_the_list_of_another_school_is_refused(db, other_school, login_as, synced_pair):
    _, lead, _, _ = synced_pair

    assert lead.get(f"/api/v1/colisten?school_id={other_school.id}").status_code == 404
