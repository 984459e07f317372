"""Evidence of change: a closed follow-up may link a later conversation of the school, and ask for a re-listen."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from server.db import db as database
from server.followups.models import FollowUp
from tests import factories
from tests.followups.helpers import completed, create_follow_up, create_observation, record
from tests.followups.test_follow_up_sync import statuses, stored, sync
from tests.sync.conftest import observation_record

BEFORE = "2026-11-24T08:12:30-06:00"
LATER = "2026-12-01T08:05:00-06:00"


def source_and_follow_up(client, school, user, relisten=True):
    source = observation_record(school, observed_at=BEFORE, needs_follow_up=True)
    body = record(user.id, observation_id=source["id"], relisten=relisten)
    assert statuses(sync(client, school, source, body)) == ["stored", "stored"]
    return source, body


def test_a_re_listen_is_stored_and_read_back(login_as, school):
    client, user = login_as("observer")
    _source, body = source_and_follow_up(client, school, user)

    assert stored(body).relisten is True
    item = client.get(f"/api/v1/follow-ups/{body['id']}").get_json()
    assert item["relisten"] is True and item["evidence_observation_id"] is None


def test_closing_with_a_later_conversation_made_offline_in_the_same_batch_links_it(login_as, school):
    client, user = login_as("observer")
    _source, body = source_and_follow_up(client, school, user)
    later = observation_record(school, observed_at=LATER, trait_levels={"evidence": 2, "action": 1})
    done = {**completed(body), "evidence_observation_id": later["id"]}

    assert statuses(sync(client, school, later, done)) == ["stored", "stored"]
    assert str(stored(body).evidence_observation_id) == later["id"]
    assert statuses(sync(client, school, later, done)) == ["unchanged", "unchanged"]


@pytest.mark.parametrize(("observed_at", "why"), [
    (BEFORE, "Link a conversation heard after the one the follow-up came from."),
    ("2026-11-24T08:12:29-06:00", "Link a conversation heard after the one the follow-up came from."),
])
def test_a_conversation_not_later_than_the_source_is_refused(login_as, school, observed_at, why):
    client, user = login_as("observer")
    _source, body = source_and_follow_up(client, school, user)
    earlier = observation_record(school, observed_at=observed_at)

    _stored, result = sync(client, school, earlier, {**completed(body), "evidence_observation_id": earlier["id"]})

    assert result["status"] == "invalid" and result["errors"] == {"evidence_observation_id": [why]}
    assert stored(body).status.value == "open"


def test_one_second_later_is_later(login_as, school):
    client, user = login_as("observer")
    _source, body = source_and_follow_up(client, school, user)
    later = observation_record(school, observed_at="2026-11-24T08:12:31-06:00")

    assert statuses(sync(client, school, later, {**completed(body), "evidence_observation_id": later["id"]})) == ["stored", "stored"]


def test_a_deleted_hidden_or_other_school_conversation_is_not_found(login_as, school, other_school):
    client, user = login_as("observer")
    _source, body = source_and_follow_up(client, school, user)
    colleague = factories.create_user("observer", school)
    hidden = create_observation(school, colleague)
    elsewhere = create_observation(other_school, factories.create_user("observer", other_school))
    gone = create_observation(school, user)
    gone.deleted_at = gone.observed_at
    database.session.commit()

    for target in (hidden.id, elsewhere.id, gone.id, uuid.uuid4()):
        (result,) = sync(client, school, {**completed(body), "evidence_observation_id": str(target)})
        assert result["status"] == "invalid" and result["errors"] == {"evidence_observation_id": ["Not found."]}
    assert stored(body).evidence_observation_id is None


@pytest.mark.parametrize(("change", "field"), [
    ({"status": "open", "changed_practice": None, "outcome_note": None, "completed_at": None}, "evidence_observation_id"),
    ({"status": "dropped", "changed_practice": None}, "evidence_observation_id"),
    ({"observation_id": None}, "evidence_observation_id"),
    ({"evidence_observation_id": "not-a-uuid"}, "evidence_observation_id"),
    ({"relisten": "yes"}, "relisten"),
    ({"relisten": None}, "relisten"),
])
def test_bad_evidence_fields_are_refused_and_nothing_changes(login_as, school, change, field):
    client, user = login_as("observer")
    source, body = source_and_follow_up(client, school, user)
    done = {**completed(body), "evidence_observation_id": str(uuid.uuid4()), **change}

    (result,) = sync(client, school, done)

    assert result["status"] == "invalid" and field in result["errors"], result
    assert stored(body).status.value == "open" and stored(body).relisten is True


def test_the_source_itself_is_not_evidence(login_as, school):
    client, user = login_as("observer")
    source, body = source_and_follow_up(client, school, user)

    (result,) = sync(client, school, {**completed(body), "evidence_observation_id": source["id"]})

    assert result["status"] == "invalid" and "evidence_observation_id" in result["errors"]


def test_an_older_app_that_leaves_the_new_fields_out_keeps_them(login_as, school):
    """An app from before evidence existed snoozes a re-listen follow-up: the re-listen stays asked for."""
    client, user = login_as("observer")
    _source, body = source_and_follow_up(client, school, user)
    old_app = {k: v for k, v in body.items() if k not in ("relisten", "evidence_observation_id")}
    snoozed = {**old_app, "version": 2, "snoozed_until": (stored(body).due_at + timedelta(days=1)).isoformat()}

    assert statuses(sync(client, school, snoozed)) == ["stored"]
    assert stored(body).relisten is True and stored(body).version == 2
    assert statuses(sync(client, school, snoozed)) == ["unchanged"]


def test_a_follow_up_made_before_evidence_existed_reads_as_no_re_listen(login_as, school):
    client, user = login_as("observer")
    follow_up = create_follow_up(school, user)

    item = client.get(f"/api/v1/follow-ups/{follow_up.id}").get_json()

    assert item["relisten"] is False and item["evidence_observation_id"] is None
    assert database.session.get(FollowUp, follow_up.id).relisten is False
