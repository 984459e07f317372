"""A user's push subscriptions (one per device, at most MAX_DEVICES each) and a school's weekly nudge setting."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, select

from server.access import Action, require_school
from server.audit import service as audit
from server.db import db
from server.push.endpoint_guard import EndpointPolicy, check_endpoint
from server.push.keys import application_server_key, load_vapid
from server.push.models import PushSubscription, WeeklyNudge

MAX_DEVICES = 10
DEFAULT_NUDGE_WEEKDAY, DEFAULT_NUDGE_HOUR = 3, 14  # Thursday afternoon: a day left to walk


def endpoint_policy() -> EndpointPolicy:
    return EndpointPolicy.from_config(current_app.config)


def public_key() -> str:
    """The key browsers subscribe with; loaded once per process (it never changes while running)."""
    cache = current_app.extensions.setdefault("hallpulse_push", {})
    if "public_key" not in cache:
        cache["public_key"] = application_server_key(load_vapid(current_app.config))
    return cache["public_key"]


def subscribe(user, subscription: dict, policy: EndpointPolicy) -> PushSubscription:
    """Store the device's subscription for `user` (raises EndpointRefused for an endpoint never sent to).

    The same endpoint again updates its keys; an endpoint last held by another user moves to this
    one (a shared phone now signed in by someone else). Past MAX_DEVICES the oldest device drops out.
    """
    endpoint = subscription["endpoint"]
    check_endpoint(endpoint, policy)
    keys = subscription["keys"]
    row = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if row is None:
        row = PushSubscription(user_id=user.id, endpoint=endpoint, p256dh=keys["p256dh"], auth=keys["auth"])
        db.session.add(row)
    else:
        row.user_id, row.p256dh, row.auth, row.failure_count = user.id, keys["p256dh"], keys["auth"], 0
    db.session.flush()
    kept = select(PushSubscription.id).where(PushSubscription.user_id == user.id).order_by(
        PushSubscription.created_at.desc(), PushSubscription.id.desc()).limit(MAX_DEVICES)
    db.session.execute(delete(PushSubscription).where(
        PushSubscription.user_id == user.id, PushSubscription.id.not_in(kept.scalar_subquery())))
    audit.record("push.subscribed", actor_id=user.id, object_type="push_subscription", object_id=row.id,
                 details={"push_service": push_service(endpoint)})
    return row


def unsubscribe(user, endpoint: str) -> None:
    """Forget this device for `user`; another user's endpoint is left alone, and the answer is the same."""
    removed = db.session.execute(delete(PushSubscription).where(
        PushSubscription.user_id == user.id, PushSubscription.endpoint == endpoint).returning(PushSubscription.id)).all()
    for (subscription_id,) in removed:
        audit.record("push.unsubscribed", actor_id=user.id, object_type="push_subscription", object_id=subscription_id)


def devices(user, current_endpoint: str | None = None) -> list[dict]:
    rows = db.session.scalars(select(PushSubscription).where(PushSubscription.user_id == user.id)
                              .order_by(PushSubscription.created_at, PushSubscription.id))
    return [
        {"id": row.id, "push_service": push_service(row.endpoint), "created_at": row.created_at,
         "last_success_at": row.last_success_at, "current": row.endpoint == current_endpoint}
        for row in rows
    ]


def push_service(endpoint: str) -> str:
    return (urlsplit(endpoint).hostname or "")[:120]


def weekly_nudge(user, school_id: int) -> dict:
    """The school's nudge setting (the defaults, off, until a principal saves one)."""
    require_school(Action.VIEW_SCHOOL, school_id, user)
    row = db.session.get(WeeklyNudge, school_id)
    return {"enabled": bool(row and row.enabled), "weekday": row.weekday if row else DEFAULT_NUDGE_WEEKDAY,
            "hour": row.hour if row else DEFAULT_NUDGE_HOUR}


def set_weekly_nudge(user, school_id: int, setting: dict) -> dict:
    require_school(Action.MANAGE_SCHOOL, school_id, user)
    row = db.session.get(WeeklyNudge, school_id)
    if row is None:
        row = WeeklyNudge(school_id=school_id)
        db.session.add(row)
    row.enabled, row.weekday, row.hour = setting["enabled"], setting["weekday"], setting["hour"]
    db.session.flush()
    audit.record("push.weekly_nudge_changed", actor_id=user.id, school_id=school_id, object_type="school",
                 object_id=school_id, details={"enabled": row.enabled})
    return weekly_nudge(user, school_id)
