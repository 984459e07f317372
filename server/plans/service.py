"""Planned conversations: create, change (splitting the schedule once it has begun), cancel a day, delete.

Services take validated dicts from schemas/plans.py, flush at most, and raise RefusedPlan (a 422
that says why) for what a schema alone cannot know: another school's place or colleague, a trait
the rubric does not have, a rule that would meet too often.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from server.access import school_roles
from server.audit import service as audit
from server.auth.models import User
from server.db import db, utcnow
from server.enums import ConversationKind, PlanFrequency
from server.plans import recurrence
from server.plans.models import PlannedConversation, PlanSchedule
from server.rubrics.models import Rubric, Trait
from server.schools.models import Location, School

MAX_OCCURRENCES = 260  # a school day every week of a year: more is a rule written wrong
DESCRIPTIVE_FIELDS = ("name", "purpose", "kind", "location_id", "participants", "participant_count", "strategy",
                      "focus_traits", "owner_id")
SCHEDULE_FIELDS = ("frequency", "weekdays", "week_of_month", "starts_at", "ends_at", "first_day", "last_day",
                   "added_dates", "cancelled_dates")


class RefusedPlan(ValueError):
    """Input that is well formed but does not fit the school: answered 422 with the message."""

    def __init__(self, message: str, field: str = "_schema"):
        super().__init__(message)
        self.field = field


def plans_of(school: School) -> list[PlannedConversation]:
    """The school's plans still in force (a deleted plan keeps only its history)."""
    return list(db.session.scalars(select(PlannedConversation).where(PlannedConversation.school_id == school.id,
                                                                     PlannedConversation.deleted_at.is_(None))
                                   .order_by(PlannedConversation.name, PlannedConversation.id)))


def today_in(school: School, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(school.timezone)).date()


def default_traits() -> list[tuple[str, str]]:
    """(key, label) of the default rubric's traits, the focus a plan may name."""
    return [tuple(row) for row in db.session.execute(
        select(Trait.key, Trait.label).join(Rubric).where(Rubric.district_id.is_(None), Rubric.is_default)
        .order_by(Trait.position))]


def default_trait_keys() -> list[str]:
    return [key for key, _label in default_traits()]


def check_links(school: School, fields: dict) -> None:
    """Place, owner and traits must be this school's: anything else is refused, never linked."""
    location_id = fields.get("location_id")
    if location_id is not None:
        place = db.session.get(Location, location_id)
        if place is None or place.school_id != school.id:
            raise RefusedPlan("No such place in this school.", "location_id")
    owner_id = fields.get("owner_id")
    if owner_id is not None:
        owner = db.session.get(User, owner_id)
        if owner is None or school.id not in school_roles(owner):
            raise RefusedPlan("The owner must be a colleague with a role in this school.", "owner_id")
    traits = fields.get("focus_traits")
    if traits is not None:
        known = default_trait_keys()
        unknown = [key for key in traits if key not in known]
        if unknown or len(set(traits)) != len(traits):
            raise RefusedPlan(f"Name each focus trait once, from: {', '.join(known)}.", "focus_traits")


def schedule_values(rule: dict) -> dict:
    """The schema's recurrence as model values (days as ISO text in the JSON lists)."""
    values = {name: rule.get(name) for name in SCHEDULE_FIELDS}
    values["frequency"] = PlanFrequency(rule["frequency"])
    values["weekdays"] = sorted(rule["weekdays"])
    values["added_dates"] = sorted({day.isoformat() for day in rule.get("added_dates", [])})
    values["cancelled_dates"] = sorted({day.isoformat() for day in rule.get("cancelled_dates", [])})
    return values


def check_size(schedule: PlanSchedule) -> None:
    count = len(recurrence.term_days(schedule))
    if count > MAX_OCCURRENCES:
        raise RefusedPlan(f"This would meet {count} times; a plan meets at most {MAX_OCCURRENCES} times "
                          "(split it, or choose fewer days).", "recurrence")
    if count == 0:
        raise RefusedPlan("This rule never meets within the term: check the weekdays and the days.", "recurrence")


def create_plan(actor: User, school: School, fields: dict) -> PlannedConversation:
    check_links(school, fields)
    plan = PlannedConversation(school_id=school.id, **{name: fields[name] for name in DESCRIPTIVE_FIELDS if name in fields})
    plan.kind = ConversationKind(fields["kind"])
    schedule = PlanSchedule(version=1, valid_from=None, valid_until=None, **schedule_values(fields["recurrence"]))
    check_size(schedule)
    plan.schedules.append(schedule)
    db.session.add(plan)
    db.session.flush()
    audit.record("plan.created", actor_id=actor.id, school_id=school.id, district_id=school.district_id,
                 object_type="planned_conversation", object_id=plan.id, details={"name": plan.name})
    return plan


def has_begun(plan: PlannedConversation, schedule: PlanSchedule, zone: str, now: datetime) -> bool:
    """Whether any occurrence of this version started before now (it may have been checked)."""
    start = schedule.valid_from or datetime(2000, 1, 1, tzinfo=timezone.utc)
    return bool(recurrence.schedule_occurrences(plan.id, schedule, ZoneInfo(zone), start, now))


def change_schedule(plan: PlannedConversation, school: School, rule: dict, now: datetime) -> bool:
    """Apply a new recurrence from now on; True if the series was split (earlier occurrences keep the old rule)."""
    values = schedule_values(rule)
    current = plan.current
    if all(getattr(current, name) == value for name, value in values.items()):
        return False
    if has_begun(plan, current, school.timezone, now):
        successor = PlanSchedule(version=current.version + 1, valid_from=now, valid_until=None, **values)
        check_size(successor)
        current.valid_until = now
        plan.schedules.append(successor)
        return True
    for name, value in values.items():
        setattr(current, name, value)
    check_size(current)
    return False


def update_plan(actor: User, plan: PlannedConversation, changes: dict, now: datetime | None = None) -> PlannedConversation:
    school = db.session.get(School, plan.school_id)
    check_links(school, changes)
    changed = sorted(name for name in DESCRIPTIVE_FIELDS if name in changes and getattr(plan, name) != changes[name])
    for name in changed:
        setattr(plan, name, ConversationKind(changes[name]) if name == "kind" else changes[name])
    split = False
    if "recurrence" in changes:
        split = change_schedule(plan, school, changes["recurrence"], now or utcnow())
        changed.append("recurrence")
    db.session.flush()
    audit.record("plan.changed", actor_id=actor.id, school_id=school.id, district_id=school.district_id,
                 object_type="planned_conversation", object_id=plan.id,
                 details={"name": plan.name, "fields": changed, "schedule_version": plan.current.version, "split": split})
    return plan


def cancel_day(actor: User, plan: PlannedConversation, day: date, now: datetime | None = None) -> PlannedConversation:
    """Cancel one meeting (a snow day): only a day of the term from today on; the past stays as it was."""
    school = db.session.get(School, plan.school_id)
    current = plan.current
    if day < today_in(school, now):
        raise RefusedPlan("That day has passed: past meetings stay as they were.", "day")
    if not current.first_day <= day <= current.last_day:
        raise RefusedPlan("That day is outside the term.", "day")
    rule = {name: getattr(current, name) for name in SCHEDULE_FIELDS}
    rule["added_dates"] = [date.fromisoformat(d) for d in current.added_dates if d != day.isoformat()]
    rule["cancelled_dates"] = [date.fromisoformat(d) for d in current.cancelled_dates] + [day]
    return update_plan(actor, plan, {"recurrence": rule}, now)


def delete_plan(actor: User, plan: PlannedConversation, now: datetime | None = None) -> None:
    """Remove a plan from now on: its schedule closes at this moment (so nothing meets later, and a phone's
    link to a later day is refused), while the occurrences that started before, their checks and the logs
    linked to them stay for past coverage and exports (docs/plans.md)."""
    school = db.session.get(School, plan.school_id)
    now = now or utcnow()
    plan.deleted_at = now
    current = plan.current
    if current.valid_until is None or current.valid_until > now:
        current.valid_until = now
    db.session.flush()
    audit.record("plan.deleted", actor_id=actor.id, school_id=school.id, district_id=school.district_id,
                 object_type="planned_conversation", object_id=plan.id, details={"name": plan.name})


def occurrences_between(plan: PlannedConversation, first: date, last: date) -> list[recurrence.Occurrence]:
    """Occurrences whose local day is within [first, last], in the school's zone."""
    school = db.session.get(School, plan.school_id)
    zone = ZoneInfo(school.timezone)
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone).astimezone(timezone.utc)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone).astimezone(timezone.utc)
    return recurrence.occurrences(plan, school.timezone, start, end)


def plan_row(plan: PlannedConversation) -> dict:
    """The plan as the API shows it: its fields, setting, and current recurrence."""
    current = plan.current
    rule = {name: getattr(current, name) for name in SCHEDULE_FIELDS}
    rule["frequency"] = current.frequency.value
    rule["added_dates"] = [date.fromisoformat(d) for d in current.added_dates]
    rule["cancelled_dates"] = [date.fromisoformat(d) for d in current.cancelled_dates]
    return {**{name: getattr(plan, name) for name in DESCRIPTIVE_FIELDS}, "id": plan.id, "school_id": plan.school_id,
            "kind": plan.kind.value, "setting": plan.kind.setting.value,
            "recurrence": {**rule, "version": current.version, "valid_from": current.valid_from},
            "rrule": recurrence.rrule_text(current)}
