"""Plan links and "checked, not heard" records through the offline app's batch sync (issue 16).

The sync service (server/observations/service.py) checks every link to a planned occurrence here:
an observation's (plan_id, plan_day) and a plan check's (plan_id, day) must name a plan of the
batch's school and a day its recurrence really meets (server/plans/recurrence.py, each schedule
version over its own span, so a changed rule never un-makes a past occurrence). Plan checks are
then loaded, planned, written and dumped like walks: by client UUID and version, exactly once.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from schemas.plan_checks import PlanCheckSchema
from server.db import db
from server.observations.canonical import Entry
from server.plans.checks import PlanCheck
from server.plans.models import PlannedConversation
from server.plans.recurrence import meeting_days
from server.walks import service as walks

PLAN_CHECKS = PlanCheck.__table__
NOT_A_PLAN = "Not a planned conversation of this school."
_DUMPER = PlanCheckSchema()


class PlanDays:
    """The school's plans and, per plan asked about, the days it meets; loaded once per batch, on first use."""

    def __init__(self, school):
        self.zone_name = school.timezone
        self.plans = {plan.id: plan for plan in db.session.scalars(
            select(PlannedConversation).options(selectinload(PlannedConversation.schedules))
            .where(PlannedConversation.school_id == school.id))}
        self.days: dict[int, set[date]] = {}

    def error(self, plan_id: int, day: date) -> tuple[str, str] | None:
        """(which field, why) when (plan, day) is not an occurrence of one of this school's plans."""
        plan = self.plans.get(plan_id)
        if plan is None:
            return "plan_id", NOT_A_PLAN
        if plan_id not in self.days:
            self.days[plan_id] = meeting_days(plan, self.zone_name)
        if day not in self.days[plan_id]:
            return "day", f"{plan.name} does not meet on {day.isoformat()}."
        return None


def link_errors(data: dict, plan_days: PlanDays) -> dict:
    """An observation's optional link to a planned occurrence (both fields or neither: the schema saw to that)."""
    if data.get("plan_id") is None:
        return {}
    found = plan_days.error(data["plan_id"], data["plan_day"])
    if found is None:
        return {}
    field, message = found
    return {"plan_id" if field == "plan_id" else "plan_day": [message]}


def _instant(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_hash(values) -> str:
    """Canonical hash of what a client sets; `checked_at` as its UTC instant and the device's offset."""
    checked_at = values["checked_at"]
    offset = values.get("utc_offset_minutes")
    if offset is None:
        offset = int(checked_at.utcoffset().total_seconds() // 60)
    outcome = values["outcome"]
    content = ["plan_check/1", values["plan_id"], values["day"].isoformat(),
               str(outcome.value if hasattr(outcome, "value") else outcome), _instant(checked_at), offset, values["note"]]
    text = json.dumps(content, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def load_checks(ids, lock: bool = False) -> dict[uuid.UUID, Entry]:
    """What the server holds for these plan-check ids; `lock` re-reads them FOR UPDATE (after a lost race)."""
    ids = sorted(ids)
    if not ids:
        return {}
    statement = select(PlanCheck.id, PlanCheck.school_id, PlanCheck.observer_id, PlanCheck.version,
                       PlanCheck.content_hash, PlanCheck.deleted_at).where(PlanCheck.id.in_(ids))
    rows = db.session.execute(statement.order_by(PlanCheck.id).with_for_update() if lock else statement)
    return {row.id: Entry(row.school_id, row.observer_id, row.version, row.content_hash,
                          deleted=row.deleted_at is not None) for row in rows}


def plan_check(data: dict, plan_days: PlanDays, school_id: int, observer_id: int,
               now: datetime) -> tuple[Entry | None, dict]:
    """(the planned entry, {}) or (None, field errors) for one plan-check record."""
    found = plan_days.error(data["plan_id"], data["day"])
    if found is not None:
        return None, {found[0]: [found[1]]}
    checked_at = data["checked_at"]
    content_hash = check_hash(data)
    row = {
        "id": data["id"], "school_id": school_id, "observer_id": observer_id, "plan_id": data["plan_id"],
        "day": data["day"], "outcome": data["outcome"], "checked_at": checked_at,
        "utc_offset_minutes": int(checked_at.utcoffset().total_seconds() // 60), "note": data["note"],
        "version": data["version"], "content_hash": content_hash, "deleted_at": None, "updated_at": now,
    }
    return Entry(school_id, observer_id, data["version"], content_hash, row=row), {}


def write_checks(changes: dict[uuid.UUID, tuple[Entry | None, Entry]], now: datetime) -> set[uuid.UUID]:
    """Insert new checks, compare-and-set changed ones (a tombstone drops the note); the ids that lost a race."""
    new = {check_id: planned for check_id, (loaded, planned) in changes.items() if loaded is None}
    inserted = walks.insert_missing(PLAN_CHECKS, [{**planned.row, "created_at": now} for planned in new.values()])
    lost = set(new) - inserted
    updates = []
    for check_id in sorted(set(changes) - set(new)):
        loaded, planned = changes[check_id]
        row = {**planned.row, "note": None} if planned.deleted else planned.row
        updates.append((check_id, loaded.version, row))
    return lost | walks.compare_and_set_many(PLAN_CHECKS, updates)


def check_records(rows) -> list[dict]:
    """Rows as records: checked_at back in the device's offset."""
    return [{**row._mapping, "checked_at": row.checked_at.astimezone(timezone(timedelta(minutes=row.utc_offset_minutes)))}
            for row in rows]


def current_checks(ids) -> dict[uuid.UUID, dict]:
    """Plan checks as the server holds them now, dumped (for a conflict's `current`)."""
    ids = list(ids)
    if not ids:
        return {}
    rows = db.session.execute(select(PLAN_CHECKS).where(PLAN_CHECKS.c.id.in_(ids))).all()
    return {record["id"]: _DUMPER.dump(record) for record in check_records(rows)}
