"""The reminder dispatcher, safe to run as many processes at once: schedule, claim, send, record.

A pass (1) turns follow-ups that fell due into reminder rows, one per owner's device, deduplicated
by a unique key, so every dispatcher may do it; (2) claims a batch of due reminders atomically
(PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED; SQLite: one conditional UPDATE, SQLite has one
writer) with a lease that expires, so a crash between claim and send only delays a reminder;
(3) sends the batch through a bounded thread pool; (4) records every attempt and its outcome in
one transaction: 404/410 deletes the device, 408/429/5xx and network errors retry with backoff
(Retry-After honoured), anything else fails. Database work stays on the calling thread.
"""
from __future__ import annotations

import json
import logging
import os
import random
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from server.auth.models import Membership, User
from server.db import db, utcnow
from server.enums import FollowUpStatus, Role
from server.followups.models import FollowUp
from server.push import nudges
from server.push.endpoint_guard import EndpointPolicy
from server.push.keys import load_vapid
from server.push.models import PushSubscription, Reminder, ReminderAttempt, ReminderKind, ReminderStatus
from server.push.sender import DELIVERED, GONE, RETRY, PushMessage, PushSender, SendResult
from server.observations.models import Observation
from server.schools.models import Location, School

LEASE = timedelta(minutes=2)          # > a batch's worst case: batch/pool sends × (3.05 + 10) s
LOOKBACK = timedelta(hours=24)        # a follow-up that fell due longer ago than this gets no push
POOL_SIZE = 32
BATCHES_PER_PASS = 1000
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
FOLLOW_UP_TTL = 12 * 3600             # seconds a push service keeps an undelivered reminder
BODY_MAX_LENGTH = 120
ICON = "/icons/icon-192.png"
CANCELLED = "cancelled"
REMINDERS = Reminder.__table__
log = logging.getLogger(__name__)


@dataclass
class PassSummary:
    scheduled: int = 0
    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def describe(self) -> str:
        parts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(self.outcomes.items())) or "nothing sent"
        return f"{self.scheduled} reminders scheduled, {self.claimed} claimed: {parts}"


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def backoff(attempts: int) -> timedelta:
    """Exponential from BACKOFF_BASE, capped, with ±20% jitter so retries of one outage spread out."""
    delay = min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)
    return delay * random.uniform(0.8, 1.2)


def follow_up_payload(follow_up_id: uuid.UUID, action: str, due_at: datetime, school_id: int,
                      relisten_at: str | None = None) -> bytes:
    """What the service worker shows: small (< 4 KB), the owner's own action text, no notes, no names.

    A re-listen (`relisten_at` = the place the conversation was heard) asks to listen again there.
    """
    text = f"Listen again at {relisten_at}: {action}" if relisten_at else action
    body = text if len(text) <= BODY_MAX_LENGTH else text[: BODY_MAX_LENGTH - 1].rstrip() + "…"
    return json.dumps({
        "v": 1, "kind": "follow_up", "title": "Time to listen again" if relisten_at else "Follow-up due",
        "body": body, "icon": ICON,
        "tag": f"follow-up-{follow_up_id}", "url": f"/follow-ups?id={follow_up_id}",
        "follow_up_id": str(follow_up_id), "school_id": school_id,
        "due_at": due_at.isoformat().replace("+00:00", "Z"),
    }, ensure_ascii=False, separators=(",", ":")).encode()


def dedupe_key(follow_up_id: uuid.UUID, due_at: datetime, subscription_id: int) -> str:
    return f"follow_up:{follow_up_id.hex}:{int(due_at.timestamp())}:{subscription_id}"


class Dispatcher:
    """One dispatcher process's machinery: a sender and a bounded pool of sending threads."""

    def __init__(self, sender: PushSender, *, pool_size: int = POOL_SIZE, batch_size: int | None = None,
                 lease: timedelta = LEASE, lookback: timedelta = LOOKBACK, max_attempts: int = MAX_ATTEMPTS,
                 worker: str | None = None):
        self.sender = sender
        self.pool_size = pool_size
        self.batch_size = batch_size or pool_size * 4
        self.lease = lease
        self.lookback = lookback
        self.max_attempts = max_attempts
        self.worker = (worker or worker_name())[:48]
        self.pool = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="push-send")

    @classmethod
    def from_config(cls, config, **options) -> Dispatcher:
        sender = PushSender(load_vapid(config), config["VAPID_SUBJECT"], EndpointPolicy.from_config(config))
        return cls(sender, **options)

    def close(self) -> None:
        self.pool.shutdown(wait=True)

    def __enter__(self) -> Dispatcher:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    # --- 1. schedule ---------------------------------------------------------------------------
    def schedule(self, now: datetime) -> int:
        """Reminder rows for open follow-ups that fell due (within LOOKBACK), one per owner's device, and weekly nudges."""
        remind_at = func.coalesce(FollowUp.snoozed_until, FollowUp.due_at)
        may_log = exists().where(
            Membership.user_id == FollowUp.owner_id,
            or_(and_(Membership.school_id == FollowUp.school_id, Membership.role.in_([Role.PRINCIPAL, Role.OBSERVER])),
                and_(Membership.role == Role.DISTRICT_ADMIN, Membership.district_id == School.district_id)),
        )
        scheduled = exists().where(
            Reminder.follow_up_id == FollowUp.id, Reminder.subscription_id == PushSubscription.id,
            Reminder.due_at == remind_at,
        )
        rows = db.session.execute(
            select(FollowUp.id, FollowUp.school_id, FollowUp.owner_id, remind_at.label("remind_at"), PushSubscription.id.label("subscription_id"))
            .join(PushSubscription, PushSubscription.user_id == FollowUp.owner_id)
            .join(School, School.id == FollowUp.school_id)
            .join(User, User.id == FollowUp.owner_id)
            .where(FollowUp.status == FollowUpStatus.OPEN, FollowUp.deleted_at.is_(None), User.active.is_(True),
                   remind_at <= now, remind_at > now - self.lookback, may_log, ~scheduled)
        ).all()
        values = [
            {"kind": ReminderKind.FOLLOW_UP, "dedupe_key": dedupe_key(row.id, row.remind_at, row.subscription_id),
             "school_id": row.school_id, "user_id": row.owner_id, "follow_up_id": row.id,
             "subscription_id": row.subscription_id, "due_at": row.remind_at, "next_attempt_at": row.remind_at,
             "status": ReminderStatus.PENDING, "attempts": 0, "created_at": now}
            for row in rows
        ] + nudges.due_nudge_rows(now, self.lookback)
        if not values:
            db.session.commit()
            return 0
        values.sort(key=lambda value: value["dedupe_key"])  # one order for every dispatcher: no deadlocks

        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        statement = dialect.insert(REMINDERS).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(REMINDERS.c.id)
        inserted = len(db.session.scalars(statement, values).all())
        db.session.commit()
        return inserted

    # --- 2. claim ------------------------------------------------------------------------------
    def claim(self, now: datetime, token: str) -> list[int]:
        """Atomically take up to batch_size due reminders no live claim holds; committed at once."""
        free = or_(Reminder.claimed_until.is_(None), Reminder.claimed_until < now)
        due = (select(Reminder.id).where(Reminder.status == ReminderStatus.PENDING, Reminder.next_attempt_at <= now, free)
               .order_by(Reminder.next_attempt_at, Reminder.id).limit(self.batch_size)
               .with_for_update(skip_locked=True))  # PostgreSQL; SQLite ignores it and has a single writer
        claimed = db.session.scalars(
            update(Reminder).where(Reminder.id.in_(due.scalar_subquery()), free)
            .values(claimed_until=now + self.lease, claimed_by=token).returning(Reminder.id)
            .execution_options(synchronize_session=False)
        ).all()
        db.session.commit()
        return sorted(claimed)

    # --- 3. send -------------------------------------------------------------------------------
    def prepare(self, reminder_ids: list[int]) -> tuple[list[PushMessage], dict[int, SendResult], dict[int, tuple]]:
        """Messages for claimed reminders still worth sending; the rest are settled without a send."""
        rows = db.session.execute(
            select(Reminder.id, Reminder.kind, Reminder.user_id, Reminder.due_at, Reminder.attempts, Reminder.subscription_id,
                   PushSubscription.user_id.label("device_user_id"), PushSubscription.endpoint, PushSubscription.p256dh,
                   PushSubscription.auth, FollowUp.id.label("follow_up_id"), FollowUp.action, FollowUp.status,
                   FollowUp.owner_id, FollowUp.due_at.label("follow_up_due_at"), FollowUp.snoozed_until,
                   FollowUp.deleted_at, FollowUp.school_id, Reminder.school_id.label("reminder_school_id"),
                   FollowUp.relisten, Location.name.label("place"))
            .outerjoin(PushSubscription, PushSubscription.id == Reminder.subscription_id)
            .outerjoin(FollowUp, FollowUp.id == Reminder.follow_up_id)
            .outerjoin(Observation, (Observation.id == FollowUp.observation_id) & Observation.deleted_at.is_(None))
            .outerjoin(Location, Location.id == Observation.location_id)
            .where(Reminder.id.in_(reminder_ids))
        ).all()
        messages, settled, known = [], {}, {}
        for row in rows:
            known[row.id] = (row.attempts, row.subscription_id)
            if row.endpoint is None or row.device_user_id != row.user_id:
                settled[row.id] = SendResult(row.id, CANCELLED, detail="The device no longer takes this user's reminders.")
                continue
            if row.kind == ReminderKind.WEEKLY_NUDGE:
                messages.append(PushMessage(
                    reminder_id=row.id, endpoint=row.endpoint, p256dh=row.p256dh, auth=row.auth,
                    payload=nudges.nudge_payload(row.reminder_school_id), topic=f"weekly-nudge-{row.reminder_school_id}",
                    ttl=nudges.NUDGE_TTL,
                ))
                continue
            remind_at = row.snoozed_until or row.follow_up_due_at
            if (row.follow_up_id is None or row.deleted_at is not None or row.status != FollowUpStatus.OPEN
                    or row.owner_id != row.user_id or remind_at != row.due_at):
                settled[row.id] = SendResult(row.id, CANCELLED, detail="The follow-up was closed, moved or reassigned.")
                continue
            messages.append(PushMessage(
                reminder_id=row.id, endpoint=row.endpoint, p256dh=row.p256dh, auth=row.auth,
                payload=follow_up_payload(row.follow_up_id, row.action, row.follow_up_due_at, row.school_id,
                                          row.place if row.relisten else None),
                topic=row.follow_up_id.hex, ttl=FOLLOW_UP_TTL,
            ))
        return messages, settled, known

    # --- 4. record -----------------------------------------------------------------------------
    def record(self, results: list[SendResult], known: dict[int, tuple], token: str, now: datetime) -> None:
        """Every attempt logged; each reminder settled or rescheduled, if this claim still holds it."""
        updates, attempts = [], []
        delivered_devices, gone_devices, failing_devices = set(), set(), set()
        for result in results:
            tries, subscription_id = known[result.reminder_id]
            tries += 1 if result.outcome != CANCELLED else 0
            status, next_attempt = ReminderStatus.PENDING, now
            if result.outcome == DELIVERED:
                status = ReminderStatus.SENT
                delivered_devices.add(subscription_id)
            elif result.outcome == GONE:
                status = ReminderStatus.GONE
                gone_devices.add(subscription_id)
            elif result.outcome == CANCELLED:
                status = ReminderStatus.CANCELLED
            elif result.outcome == RETRY and tries < self.max_attempts:
                wait = timedelta(seconds=result.retry_after) if result.retry_after is not None else backoff(tries)
                next_attempt = now + max(wait, timedelta(seconds=1))
            else:  # REFUSED, FAILED, or out of attempts
                status = ReminderStatus.FAILED
                failing_devices.add(subscription_id)
            updates.append({"reminder": result.reminder_id, "token": token, "new_status": status, "tries": tries,
                            "next_attempt": next_attempt, "sent": now if status == ReminderStatus.SENT else None})
            attempts.append({"reminder_id": result.reminder_id, "attempted_at": now, "worker": self.worker,
                             "outcome": result.outcome, "status_code": result.status_code,
                             "duration_ms": result.duration_ms, "detail": result.detail})
        if updates:
            statement = (update(REMINDERS)
                         .where(REMINDERS.c.id == bindparam("reminder"), REMINDERS.c.claimed_by == bindparam("token"))
                         .values(status=bindparam("new_status"), attempts=bindparam("tries"),
                                 next_attempt_at=bindparam("next_attempt"), sent_at=bindparam("sent"),
                                 claimed_until=None, claimed_by=None))
            db.session.connection().execute(statement, updates)
            db.session.execute(insert(ReminderAttempt), attempts)
        devices = PushSubscription.__table__.c
        if delivered_devices - {None}:
            db.session.execute(update(PushSubscription.__table__).where(devices.id.in_(delivered_devices - {None}))
                               .values(last_success_at=now, failure_count=0))
        if failing_devices - {None}:
            db.session.execute(update(PushSubscription.__table__).where(devices.id.in_(failing_devices - {None}))
                               .values(failure_count=devices.failure_count + 1))
        if gone_devices - {None}:
            db.session.execute(delete(PushSubscription.__table__).where(devices.id.in_(gone_devices - {None})))
        db.session.commit()

    # --- a pass, and the long-running loop ----------------------------------------------------
    def run_pass(self, now: datetime | None = None, max_batches: int = BATCHES_PER_PASS,
                 stop: threading.Event | None = None) -> PassSummary:
        """Schedule, then claim and send batches until nothing is due (or max_batches, or `stop` is set)."""
        summary = PassSummary()
        summary.scheduled = self.schedule(now or utcnow())
        for _batch in range(max_batches):
            if stop is not None and stop.is_set():
                break
            moment = now or utcnow()
            token = f"{self.worker}/{uuid.uuid4().hex[:12]}"
            claimed = self.claim(moment, token)
            if not claimed:
                break
            summary.claimed += len(claimed)
            messages, settled, known = self.prepare(claimed)
            results = list(settled.values()) + list(self.pool.map(self.sender.send, messages))
            self.record(results, known, token, now or utcnow())
            for result in results:
                summary.count(result.outcome)
        return summary

    def run_forever(self, interval: float, stop: threading.Event, max_passes: int | None = None, report=None) -> int:
        """A pass every `interval` seconds until `stop` is set (SIGTERM) or max_passes; returns the passes run.

        A failed pass (the database went away) is logged and retried next interval, not fatal.
        """
        passes = 0
        while not stop.is_set() and (max_passes is None or passes < max_passes):
            try:
                summary = self.run_pass(stop=stop)
            except Exception:
                db.session.rollback()
                log.exception("reminder pass failed; retrying in %s s", interval)
            else:
                if report:
                    report(summary)
            passes += 1
            stop.wait(interval)
        return passes
