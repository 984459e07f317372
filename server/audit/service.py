"""Append an audit event: who did what to which object, from where. Never the data itself."""
from __future__ import annotations

from flask import has_request_context, request

from server.audit.models import AuditEvent
from server.db import db


def record(
    action: str,
    *,
    actor_id: int | None = None,
    school_id: int | None = None,
    district_id: int | None = None,
    object_type: str = "",
    object_id: object = "",
    details: dict | None = None,
) -> AuditEvent:
    """Add an event to the current transaction (it commits or rolls back with the change it records).

    `details` must hold identifiers and field names only: no notes, passwords, tokens or keys.
    """
    ip = (request.remote_addr or "")[:45] if has_request_context() else ""
    event = AuditEvent(
        action=action,
        actor_id=actor_id,
        school_id=school_id,
        district_id=district_id,
        object_type=object_type,
        object_id=str(object_id)[:64],
        ip=ip,
        details=details or {},
    )
    db.session.add(event)
    return event


def record_now(action: str, **kwargs) -> AuditEvent:
    """For events that must outlive a failed request (a failed sign-in): committed at once."""
    event = record(action, **kwargs)
    db.session.commit()
    return event
