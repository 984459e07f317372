"""The dispatcher against a real push receiver: delivered once, verified, decrypted; failures handled."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.auth.models import Membership
from server.db import db as database
from server.enums import FollowUpStatus
from server.push.models import PushSubscription, Reminder, ReminderAttempt, ReminderStatus
from tests import factories
from tests.followups.helpers import create_follow_up, create_observation, now
from tests.push.conftest import add_device, make_dispatcher
from tests.push.receiver import Behaviour


@pytest.fixture()
def owner(school):
    return factories.create_user("observer", school)


def reminders(status=None) -> list[Reminder]:
    statement = select(Reminder).order_by(Reminder.id)
    if status:
        statement = statement.where(Reminder.status == status)
    database.session.expire_all()
    return list(database.session.scalars(statement))


def test_a_due_follow_up_reaches_the_owners_device_signed_and_decryptable(dispatcher, receiver, school, owner):
    add_device(owner, receiver.subscription("phone"))
    follow_up = create_follow_up(school, owner)

    summary = dispatcher.run_pass()

    assert receiver.errors == []
    (delivery,) = receiver.deliveries
    assert delivery.payload["follow_up_id"] == str(follow_up.id)
    assert delivery.payload["url"] == f"/follow-ups?id={follow_up.id}"
    assert delivery.payload["tag"] == f"follow-up-{follow_up.id}"
    assert delivery.payload["body"] == follow_up.action
    assert delivery.claims["aud"] == receiver.origin
    assert summary.outcomes == {"delivered": 1}


def test_the_push_carries_ttl_urgency_and_a_topic_that_replaces_repeats(dispatcher, receiver, school, owner):
    add_device(owner, receiver.subscription("phone"))
    follow_up = create_follow_up(school, owner)

    dispatcher.run_pass()

    headers = {name.lower(): value for name, value in receiver.deliveries[0].headers.items()}
    assert int(headers["ttl"]) > 0
    assert headers["urgency"] == "normal"
    assert headers["topic"] == follow_up.id.hex


def test_the_payload_is_small_and_carries_no_notes(dispatcher, receiver, school, owner):
    observation = create_observation(school, owner, note="NOTE-CANARY overheard")
    add_device(owner, receiver.subscription("phone"))
    create_follow_up(school, owner, observation_id=observation.id, action="A" * 280, outcome_note="OUTCOME-CANARY")

    dispatcher.run_pass()

    (delivery,) = receiver.deliveries
    assert delivery.body_bytes < 4096
    text = str(delivery.payload)
    assert "CANARY" not in text and owner.name not in text and owner.email not in text
    assert len(delivery.payload["body"]) <= 120


def test_a_second_pass_sends_nothing_again(dispatcher, receiver, school, owner):
    add_device(owner, receiver.subscription("phone"))
    create_follow_up(school, owner)
    dispatcher.run_pass()

    dispatcher.run_pass()

    assert len(receiver.deliveries) == 1


def test_every_device_of_the_owner_gets_the_reminder(dispatcher, receiver, school, owner):
    add_device(owner, receiver.subscription("phone"))
    add_device(owner, receiver.subscription("tablet"))
    create_follow_up(school, owner)

    dispatcher.run_pass()

    assert sorted(d.path for d in receiver.deliveries) == ["/push/phone", "/push/tablet"]


def test_only_the_owner_is_reminded_not_the_creator(dispatcher, receiver, school, owner):
    creator = factories.create_user("principal", school)
    add_device(creator, receiver.subscription("principal-phone"))
    add_device(owner, receiver.subscription("owner-phone"))
    create_follow_up(school, owner, creator=creator)

    dispatcher.run_pass()

    assert [d.path for d in receiver.deliveries] == ["/push/owner-phone"]


def test_a_follow_up_not_yet_due_is_not_sent(dispatcher, receiver, school, owner):
    add_device(owner, receiver.subscription("phone"))
    create_follow_up(school, owner, due_in=timedelta(hours=2))

    dispatcher.run_pass()

    assert receiver.requests == 0 and reminders() == []


@pytest.mark.parametrize("status", [FollowUpStatus.DONE, FollowUpStatus.DROPPED])
def test_a_closed_follow_up_is_not_sent(dispatcher, receiver, school, owner, status):
    add_device(owner, receiver.subscription("phone"))
    create_follow_up(school, owner, status=status, completed_at=now())

    dispatcher.run_pass()

    assert receiver.requests == 0


def test_a_follow_up_closed_after_its_reminder_was_scheduled_is_cancelled(dispatcher, receiver, school, owner):
    add_device(owner, receiver.subscription("phone"))
    follow_up = create_follow_up(school, owner)
    dispatcher.schedule(now())
    follow_up.status, follow_up.completed_at, follow_up.changed_practice = FollowUpStatus.DONE, now(), True
    database.session.commit()

    dispatcher.run_pass()

    assert receiver.requests == 0
    assert [r.status for r in reminders()] == [ReminderStatus.CANCELLED]


def test_a_snoozed_follow_up_is_sent_at_the_snooze_time_not_before(dispatcher, receiver, school, owner):
    add_device(owner, receiver.subscription("phone"))
    snooze = now() + timedelta(hours=1)
    create_follow_up(school, owner, snoozed_until=snooze)

    dispatcher.run_pass()
    sent_before = len(receiver.deliveries)
    dispatcher.run_pass(now=snooze + timedelta(seconds=1))

    assert (sent_before, len(receiver.deliveries)) == (0, 1)


def test_an_owner_who_left_the_school_is_not_reminded(dispatcher, receiver, school, owner):
    add_device(owner, receiver.subscription("phone"))
    create_follow_up(school, owner)
    database.session.execute(Membership.__table__.delete().where(Membership.user_id == owner.id))
    database.session.commit()

    dispatcher.run_pass()

    assert receiver.requests == 0


@pytest.mark.parametrize("status", [404, 410])
def test_a_device_the_push_service_no_longer_knows_is_deleted(dispatcher, receiver, school, owner, status):
    add_device(owner, receiver.subscription("gone", Behaviour(status=status)))
    create_follow_up(school, owner)

    dispatcher.run_pass()

    assert database.session.scalar(select(func.count()).select_from(PushSubscription)) == 0
    assert [r.status for r in reminders()] == [ReminderStatus.GONE]


def test_429_with_retry_after_is_retried_once_the_wait_is_over(dispatcher, receiver, school, owner):
    add_device(owner, receiver.subscription("busy", Behaviour(status=429, headers={"Retry-After": "120"}, times=1)))
    create_follow_up(school, owner)
    first = now()

    dispatcher.run_pass(now=first)
    (waiting,) = reminders()
    status, wait = waiting.status, waiting.next_attempt_at - first
    dispatcher.run_pass(now=first + timedelta(seconds=60))
    requests_before_the_wait = receiver.requests
    dispatcher.run_pass(now=first + timedelta(seconds=121))

    assert status == ReminderStatus.PENDING
    assert timedelta(seconds=119) <= wait <= timedelta(seconds=121)
    assert requests_before_the_wait == 1
    assert len(receiver.deliveries) == 1 and reminders()[0].status == ReminderStatus.SENT


def test_a_5xx_is_retried_later_with_backoff(dispatcher, receiver, school, owner):
    add_device(owner, receiver.subscription("flaky", Behaviour(status=503, times=1)))
    create_follow_up(school, owner)
    first = now()

    dispatcher.run_pass(now=first)
    (waiting,) = reminders()

    assert waiting.status == ReminderStatus.PENDING and waiting.attempts == 1
    assert timedelta(seconds=20) <= waiting.next_attempt_at - first <= timedelta(minutes=2)


def test_a_reminder_out_of_attempts_fails(app, receiver, school, owner):
    add_device(owner, receiver.subscription("down", Behaviour(status=500)))
    create_follow_up(school, owner)
    moment = now()
    with make_dispatcher(app, pool_size=2, max_attempts=3) as dispatcher:
        for _ in range(4):
            dispatcher.run_pass(now=moment)
            moment += timedelta(hours=2)

    assert receiver.requests == 3
    assert [r.status for r in reminders()] == [ReminderStatus.FAILED]


def test_a_hanging_push_service_times_out_within_the_bound(app, receiver, school, owner):
    add_device(owner, receiver.subscription("hangs", Behaviour(hang=True)))
    create_follow_up(school, owner)
    with make_dispatcher(app, timeout=(1.0, 1.5), pool_size=2) as dispatcher:
        started = time.monotonic()
        summary = dispatcher.run_pass()
        elapsed = time.monotonic() - started

    assert summary.outcomes == {"retry": 1}
    assert elapsed < 1.0 + 1.5 + 2.0
    assert reminders()[0].status == ReminderStatus.PENDING


def test_the_default_timeouts_are_bounded(dispatcher):
    assert dispatcher.sender.timeout == (3.05, 10.0)


def test_every_attempt_is_recorded(dispatcher, receiver, school, owner):
    add_device(owner, receiver.subscription("flaky", Behaviour(status=503, times=1)))
    create_follow_up(school, owner)
    first = now()

    dispatcher.run_pass(now=first)
    dispatcher.run_pass(now=first + timedelta(hours=2))

    attempts = database.session.execute(select(ReminderAttempt.outcome, ReminderAttempt.status_code).order_by(ReminderAttempt.id)).all()
    assert [tuple(a) for a in attempts] == [("retry", 503), ("delivered", 201)]


def test_a_claim_that_expired_after_a_crash_is_sent_by_another_dispatcher(app, receiver, school, owner):
    add_device(owner, receiver.subscription("phone"))
    create_follow_up(school, owner)
    moment = now()
    with make_dispatcher(app, pool_size=2, worker="crashed") as crashed:
        crashed.schedule(moment)
        assert len(crashed.claim(moment, "crashed/1")) == 1  # …and the process dies before sending

    with make_dispatcher(app, pool_size=2, worker="survivor") as survivor:
        during_the_lease = survivor.run_pass(now=moment + timedelta(seconds=30))
        after_the_lease = survivor.run_pass(now=moment + timedelta(minutes=3))

    assert during_the_lease.claimed == 0
    assert after_the_lease.outcomes == {"delivered": 1}
    assert len(receiver.deliveries) == 1


def test_a_reminder_claimed_by_one_dispatcher_is_not_claimed_by_another(app, receiver, school, owner):
    add_device(owner, receiver.subscription("phone"))
    create_follow_up(school, owner)
    moment = now()
    with make_dispatcher(app, pool_size=2) as first, make_dispatcher(app, pool_size=2) as second:
        first.schedule(moment)
        taken = first.claim(moment, "first/1"), second.claim(moment, "second/1")

    assert [len(ids) for ids in taken] == [1, 0]
