"""Heard again: traits before and after for follow-ups closed with a later conversation, worked out by hand.

Pairs (levels substantive / evidence / action):
  1  A (2/1/0)  ->  A' (2/2/1)
  2  B (1/0/0)  ->  B' (0/1/0)
  3  A          ->  C' deleted: not a pair          4  A, no later conversation: not a pair
Substantive: heard before 2, after 1, stronger 0, same 1, weaker 1. Evidence: 1, 2, 2, 0, 0.
Action: 0, 1, 1, 1, 0. Minimum n 2, so none is too few; with 3 all are.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from server.enums import ConversationKind, FollowUpStatus
from server.followups.models import FollowUp
from tests import factories
from tests.results.conftest import conversation, local


@pytest.fixture()
def paired_school(db, school):
    school.min_cell_n = 2
    observer = factories.create_user(role="observer", school=school)
    heard = lambda levels, when, kind=ConversationKind.PLC: conversation(db, school, observer, kind, "Grade 7", levels, when)  # noqa: E731
    a = heard({"substantive": 2, "evidence": 1}, "2026-10-05 09:00")
    b = heard({"substantive": 1}, "2026-10-06 08:00", ConversationKind.HALLWAY_CHAT)
    a_later = heard({"substantive": 2, "evidence": 2, "action": 1}, "2026-10-19 09:00")
    b_later = heard({"evidence": 1}, "2026-10-20 08:00")
    c_later = heard({"action": 2}, "2026-10-21 08:00")
    c_later.deleted_at = datetime.now(timezone.utc)
    db.session.flush()
    for source, later in ((a, a_later), (b, b_later), (a, c_later), (a, None)):
        db.session.add(FollowUp(
            id=uuid.uuid4(), school_id=school.id, observation_id=source.id, owner_id=observer.id,
            created_by_id=observer.id, action="Listen to the team again", relisten=True,
            due_at=local(school, "2026-10-16 15:30"), status=FollowUpStatus.DONE, changed_practice=True,
            completed_at=local(school, "2026-10-22 12:00"), evidence_observation_id=later.id if later else None,
            created_at=local(school, "2026-10-07 10:00")))
    db.session.commit()
    return school


def heard_again(client, school, **query):
    response = client.get(f"/api/v1/results/schools/{school.id}", query_string=query)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()["heard_again"]
    return body["pairs"], {t["label"]: t for t in body["traits"]}


def counts(trait):
    return tuple(trait[k] for k in ("n", "heard_before", "heard_after", "stronger", "same", "weaker"))


def test_each_trait_is_counted_before_and_after_over_live_pairs(login_as, paired_school):
    client, _ = login_as("principal")
    pairs, traits = heard_again(client, paired_school)
    assert pairs == 2
    assert counts(traits["Substantive"]) == (2, 2, 1, 0, 1, 1)
    assert counts(traits["Evidence"]) == (2, 1, 2, 2, 0, 0)
    assert counts(traits["Action"]) == (2, 0, 1, 1, 1, 0)
    assert not any(t["few"] for t in traits.values())


def test_under_the_minimum_n_every_trait_is_too_few(login_as, paired_school, db):
    paired_school.min_cell_n = 3
    db.session.commit()
    client, _ = login_as("viewer")
    _pairs, traits = heard_again(client, paired_school)
    assert all(t["few"] for t in traits.values())


def test_the_conversation_filters_narrow_the_pairs_by_where_it_started(login_as, paired_school):
    client, _ = login_as("principal")
    pairs, traits = heard_again(client, paired_school, setting="informal")
    assert pairs == 1 and counts(traits["Substantive"]) == (1, 1, 0, 0, 0, 1)


def test_the_page_and_csv_show_the_pairs(login_as, paired_school):
    client, _ = login_as("principal")
    page = client.get(f"/schools/{paired_school.id}/dashboard/results").get_data(as_text=True)
    assert "Heard again: before and after" in page and "2 follow-ups closed with a later conversation" in page
    text = client.get(f"/schools/{paired_school.id}/dashboard/results.csv").get_data(as_text=True)
    assert "heard_again,Evidence,2,1,2,2,0,0" in text


def test_without_pairs_the_page_says_how_to_get_them(login_as, results_school):
    client, _ = login_as("principal")
    page = client.get(f"/schools/{results_school.id}/dashboard/results").get_data(as_text=True)
    assert heard_again(client, results_school)[0] == 0
    assert "No follow-up has been closed with a later conversation linked yet" in page
