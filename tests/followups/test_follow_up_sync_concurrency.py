"""An offline completion re-sent by many requests at once (a flaky network): applied once, never a 500."""
from __future__ import annotations

from sqlalchemy import func, select

from server.db import db as database
from server.enums import FollowUpStatus
from server.followups.models import FollowUp
from tests import factories
from tests.followups.helpers import completed, record
from tests.sync.test_sync_concurrency import PARALLEL, live_server, post_batches_at_once, signed_in_session  # noqa: F401


def test_a_completion_sent_twenty_times_at_once_is_applied_once(db, live_server, school):  # noqa: F811
    owner = factories.create_user(role="observer", school=school)
    cookies, token = signed_in_session(live_server, owner)
    body = record(owner.id)
    done = completed(body)

    responses = post_batches_at_once(live_server, cookies, token, {"school_id": school.id, "records": [body, done]})

    assert [r.status_code for r in responses] == [200] * PARALLEL, [r.text for r in responses if r.status_code != 200][:1]
    outcomes = [tuple(result["status"] for result in r.json()["results"]) for r in responses]
    assert outcomes.count(("stored", "stored")) == 1
    assert set(outcomes) == {("stored", "stored"), ("conflict", "unchanged")}  # a re-sent v1 is older than the stored v2
    database.session.expire_all()
    assert database.session.scalar(select(func.count()).select_from(FollowUp)) == 1
    follow_up = database.session.scalar(select(FollowUp))
    assert (follow_up.status, follow_up.version) == (FollowUpStatus.DONE, 2)
