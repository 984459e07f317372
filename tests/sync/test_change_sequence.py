"""Writes made outside the batch sync take a change number too, so phones pulling from their cursor learn of them."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update
from sqlalchemy.exc import StatementError

from server.changes import MissingChangeSeq
from server.observations.models import Observation
from tests.followups import helpers as follow_ups
from tests.sync.conftest import observation_record, statuses, stored_observation, sync
from tests.sync.test_pull_order import pull_all


def test_a_note_erased_by_the_retention_job_reaches_the_phone(db, app, observer, school):
    client, _ = observer
    observed = (datetime.now(timezone.utc) - timedelta(days=3)).isoformat()
    record = observation_record(school, observed_at=observed)
    sync(client, school.id, record)
    _, cursor = pull_all(client, "/api/v1/observations", school.id)
    school.note_retention_days = 1
    db.session.commit()

    assert app.test_cli_runner().invoke(args=["purge"]).exit_code == 0
    body = client.get(f"/api/v1/observations?school_id={school.id}&since={cursor}").get_json()
    assert [(item["id"], item["version"], item["note"]) for item in body["items"]] == [(record["id"], 2, None)]


def test_a_follow_up_whose_owner_is_erased_reaches_its_creators_phone(db, login_as, school):
    principal, _ = login_as("principal")
    _, owner = login_as("observer")
    follow_up = follow_ups.record(owner.id)
    assert statuses(sync(principal, school.id, follow_up)) == ["stored"]
    _, cursor = pull_all(principal, "/api/v1/follow-ups", school.id)

    assert principal.post(f"/api/v1/schools/{school.id}/members/{owner.id}/erase").status_code == 200
    body = principal.get(f"/api/v1/follow-ups?school_id={school.id}&since={cursor}").get_json()
    assert [(item["id"], item["owner_id"]) for item in body["items"]] == [(follow_up["id"], None)]


def test_a_bulk_update_that_names_no_school_is_refused_rather_than_hidden_from_phones(db, observer, school):
    client, _ = observer
    record = observation_record(school)
    sync(client, school.id, record)
    with pytest.raises(StatementError) as refused:
        db.session.execute(update(Observation).where(Observation.id == uuid.UUID(record["id"])).values(note=None))
    assert isinstance(refused.value.orig, MissingChangeSeq)
    db.session.rollback()
    assert stored_observation(db, record["id"]).note == record["note"]
