"""Follow-ups created, completed, snoozed and deleted offline, through the same idempotent batch sync."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.db import db as database
from server.enums import FollowUpStatus
from server.followups.models import FollowUp
from tests import factories
from tests.followups.helpers import completed, create_observation, local_iso, now, record


def sync(client, school, *records):
    response = client.post("/api/v1/sync", json={"school_id": school.id, "records": list(records)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def statuses(results) -> list[str]:
    return [result["status"] for result in results]


def stored(record_body) -> FollowUp | None:
    database.session.expire_all()
    return database.session.get(FollowUp, uuid.UUID(record_body["id"]))


def follow_up_count() -> int:
    return database.session.scalar(select(func.count()).select_from(FollowUp))


def test_a_follow_up_made_offline_is_stored_with_its_creator_and_owner(login_as, school):
    client, principal = login_as("principal")
    owner = factories.create_user("observer", school)
    body = record(owner.id)

    results = sync(client, school, body)

    assert statuses(results) == ["stored"] and results[0]["type"] == "follow_up"
    follow_up = stored(body)
    assert (follow_up.owner_id, follow_up.created_by_id, follow_up.school_id) == (owner.id, principal.id, school.id)
    assert follow_up.status == FollowUpStatus.OPEN


def test_a_resent_follow_up_is_stored_once(login_as, school):
    client, user = login_as("observer")
    body = record(user.id)

    first, again = sync(client, school, body), sync(client, school, body)

    assert statuses(first + again) == ["stored", "unchanged"]
    assert follow_up_count() == 1


def test_an_offline_completion_syncs_exactly_once(login_as, school):
    client, user = login_as("observer")
    body = record(user.id)
    sync(client, school, body)
    done = completed(body)

    first, resent = sync(client, school, done), sync(client, school, done)

    assert statuses(first + resent) == ["stored", "unchanged"]
    follow_up = stored(body)
    assert (follow_up.status, follow_up.changed_practice, follow_up.version) == (FollowUpStatus.DONE, True, 2)
    assert follow_up.outcome_note == "Team now reteaches from exit tickets"


def test_created_and_completed_offline_in_one_batch_ends_done(login_as, school):
    client, user = login_as("observer")
    body = record(user.id)

    results = sync(client, school, body, completed(body))

    assert statuses(results) == ["stored", "stored"]
    assert stored(body).status == FollowUpStatus.DONE


def test_the_owner_completes_a_follow_up_someone_else_created(login_as, school):
    principal_client, _principal = login_as("principal")
    owner_client, owner = login_as("observer")
    body = record(owner.id)
    sync(principal_client, school, body)

    results = sync(owner_client, school, completed(body, changed=False, note=None))

    assert statuses(results) == ["stored"]
    assert (stored(body).status, stored(body).changed_practice) == (FollowUpStatus.DONE, False)


def test_a_snooze_moves_the_reminder(login_as, school):
    client, user = login_as("observer")
    body = record(user.id)
    sync(client, school, body)
    snooze = now() + timedelta(days=4)

    results = sync(client, school, {**body, "version": 2, "snoozed_until": local_iso(snooze)})

    assert statuses(results) == ["stored"]
    assert abs(stored(body).snoozed_until - snooze) < timedelta(seconds=1)


def test_a_colleague_who_neither_created_nor_owns_it_cannot_change_it(login_as, school):
    owner_client, owner = login_as("observer")
    colleague_client, _colleague = login_as("observer")
    body = record(owner.id)
    sync(owner_client, school, body)

    (result,) = sync(colleague_client, school, completed(body))

    assert result["status"] == "invalid" and result["errors"] == {"id": ["Not found."]}
    assert stored(body).status == FollowUpStatus.OPEN


def test_another_schools_follow_up_id_is_never_overwritten(login_as, school, other_school):
    client, user = login_as("principal")
    stranger = factories.create_user("observer", other_school)
    foreign = FollowUp(id=uuid.uuid4(), school_id=other_school.id, owner_id=stranger.id, created_by_id=stranger.id,
                       action="Foreign", due_at=now())
    database.session.add(foreign)
    database.session.commit()

    (result,) = sync(client, school, record(user.id, id=str(foreign.id), version=5, action="Hijacked"))

    assert result["status"] == "invalid" and "Foreign" not in str(result)
    assert stored({"id": str(foreign.id)}).action == "Foreign"


@pytest.mark.parametrize("owner_role", ["viewer", "other_school", "missing"])
def test_the_owner_must_be_someone_who_can_log_in_the_school(login_as, school, other_school, owner_role):
    client, _user = login_as("principal")
    owner_id = {"viewer": lambda: factories.create_user("viewer", school).id,
                "other_school": lambda: factories.create_user("observer", other_school).id,
                "missing": lambda: 987654}[owner_role]()

    (result,) = sync(client, school, record(owner_id))

    assert result["status"] == "invalid" and "owner_id" in result["errors"]
    assert follow_up_count() == 0


def test_a_follow_up_can_come_from_an_observation_in_the_same_batch(login_as, school):
    from tests.sync.conftest import observation_record

    client, user = login_as("observer")
    observation = observation_record(school, needs_follow_up=True)
    body = record(user.id, observation_id=observation["id"])

    results = sync(client, school, observation, body)

    assert statuses(results) == ["stored", "stored"]
    assert str(stored(body).observation_id) == observation["id"]


def test_a_follow_up_cannot_point_at_an_observation_the_user_cannot_see(login_as, school):
    client, user = login_as("observer")
    colleague = factories.create_user("observer", school)
    hidden = create_observation(school, colleague)

    (result,) = sync(client, school, record(user.id, observation_id=str(hidden.id)))

    assert result["status"] == "invalid" and result["errors"] == {"observation_id": ["Not found."]}


@pytest.mark.parametrize(("change", "field"), [
    ({"status": "done", "completed_at": None, "changed_practice": True}, "completed_at"),
    ({"status": "done", "changed_practice": None}, "changed_practice"),
    ({"status": "open", "changed_practice": True}, "changed_practice"),
    ({"status": "dropped", "changed_practice": True}, "changed_practice"),
    ({"status": "paused"}, "status"),
    ({"action": ""}, "action"),
    ({"action": "a" * 281}, "action"),
    ({"action": "Call\x00home"}, "action"),
    ({"due_at": "2026-12-03T15:00:00"}, "due_at"),
    ({"due_at": "2099-01-01T00:00:00+00:00"}, "due_at"),
    ({"due_at": "2026-12-03T15:00:00-06:00\x00"}, "due_at"),                 # issue 14 point 20: the shared
    ({"snoozed_until": "2026-12-03T15:00:00.123456789012-06:00"}, "snoozed_until"),  # offset-datetime field
    ({"owner_id": "7"}, "owner_id"),
    ({"changed_practice": "yes", "status": "done"}, "changed_practice"),
    ({"created_by_id": 1}, "created_by_id"),
    ({"school_id": 1}, "school_id"),
])
def test_an_invalid_follow_up_is_refused_and_nothing_is_stored(login_as, school, change, field):
    client, user = login_as("observer")
    body = {**record(user.id), "completed_at": local_iso(now()), **change}
    if body.get("status", "open") == "open" and "completed_at" not in change:
        body["completed_at"] = None

    (result,) = sync(client, school, body)

    assert result["status"] == "invalid" and field in result["errors"], result
    assert follow_up_count() == 0


def test_a_snooze_before_the_due_time_is_refused(login_as, school):
    client, user = login_as("observer")
    body = record(user.id, due_at=local_iso(now() + timedelta(days=2)), snoozed_until=local_iso(now() + timedelta(days=1)))

    (result,) = sync(client, school, body)

    assert result["status"] == "invalid" and "snoozed_until" in result["errors"]


def test_a_deleted_follow_up_becomes_a_tombstone_without_its_outcome_note(login_as, school):
    client, user = login_as("observer")
    body = record(user.id)
    sync(client, school, body, completed(body))

    (result,) = sync(client, school, {"type": "deletion", "id": body["id"], "entity": "follow_up", "version": 3})

    assert result["status"] == "stored"
    assert stored(body).deleted_at is not None and stored(body).outcome_note is None


def test_a_conflicting_edit_gets_the_servers_follow_up_back(login_as, school):
    client, user = login_as("observer")
    body = record(user.id)
    sync(client, school, body)

    (result,) = sync(client, school, {**body, "action": "Something else"})

    assert result["status"] == "conflict"
    assert result["current"]["type"] == "follow_up" and result["current"]["action"] == body["action"]
