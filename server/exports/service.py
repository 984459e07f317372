"""A school's data export (offboarding, a records request): one CSV per kind of record plus a manifest.

Every cell is guarded against spreadsheet formula injection; the export itself is audited, with
counts only.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime

from sqlalchemy import select, text

from server.audit import service as audit
from server.audit.models import AuditEvent
from server.audit.wording import Names, describe, label
from server.auth.models import Membership, User
from server.db import db, utcnow
from server.followups.models import FollowUp
from server.observations.models import Observation, ObservationTraitLevel
from server.plans.checks import PlanCheck
from server.plans.models import PlannedConversation
from server.practice.models import PracticeAnswer, PracticeScenario
from server.rubrics.models import Rubric, Trait
from server.schools.models import Location, Period, School
from server.walks.models import Walk

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ (tab, CR) gets a single quote."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        value = ";".join(str(part) for part in value)
    text_value = str(value.value if hasattr(value, "value") else value)
    return "'" + text_value if text_value.startswith(FORMULA_STARTS) else text_value


def to_csv(header: list[str], rows) -> tuple[bytes, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([safe(value) for value in row])
        count += 1
    return buffer.getvalue().encode("utf-8-sig"), count


def people(school_id: int) -> dict[int, str]:
    """Names of everyone the school's records can point at: its staff, its district's admins, and
    anyone who recorded something here (staff who have since left)."""
    referenced = select(Observation.observer_id).where(Observation.school_id == school_id).union(
        select(Walk.observer_id).where(Walk.school_id == school_id),
        select(FollowUp.owner_id).where(FollowUp.school_id == school_id),
        select(FollowUp.created_by_id).where(FollowUp.school_id == school_id),
        select(AuditEvent.actor_id).where(AuditEvent.school_id == school_id),
        select(Membership.user_id).where(Membership.school_id == school_id),
        select(PlannedConversation.owner_id).where(PlannedConversation.school_id == school_id),
        select(PlanCheck.observer_id).where(PlanCheck.school_id == school_id),
        select(PracticeScenario.author_id).where(PracticeScenario.school_id == school_id),
        select(PracticeAnswer.user_id).where(PracticeAnswer.school_id == school_id),
        select(Membership.user_id).where(Membership.district_id == select(School.district_id).where(
            School.id == school_id).scalar_subquery(), Membership.school_id.is_(None)),
    )
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(referenced))).all())


def observations_table(school_id: int, names: dict[int, str]) -> tuple[list[str], list[list]]:
    traits = db.session.execute(
        select(Trait.id, Trait.key, Rubric.key).join(Rubric, Rubric.id == Trait.rubric_id)
        .where(Trait.rubric_id.in_(select(Observation.rubric_id).where(Observation.school_id == school_id)))
        .order_by(Rubric.id, Trait.position)
    ).all()
    trait_columns = {trait_id: index for index, (trait_id, _, _) in enumerate(traits)}
    levels: dict = {}
    for observation_id, trait_id, level in db.session.execute(
        select(ObservationTraitLevel.observation_id, ObservationTraitLevel.trait_id, ObservationTraitLevel.level)
        .join(Observation, Observation.id == ObservationTraitLevel.observation_id).where(Observation.school_id == school_id)
    ):
        levels.setdefault(observation_id, {})[trait_id] = level
    places = dict(db.session.execute(select(Location.id, Location.name).where(Location.school_id == school_id)).all())
    rubrics = dict(db.session.execute(select(Rubric.id, Rubric.key)).all())
    header = ["id", "observed_at", "local_date", "place", "rubric", "setting", "conversation_kind", "participant_count",
              "participant_roles", "team", "note", "needs_follow_up", "observer", "walk_id", "plan_id", "plan_day",
              "version", "created_at", "updated_at", "deleted_at", "colisten_id", "counted"] + [
                  f"{rubric}.{key}" for _, key, rubric in traits]
    rows = []
    for o in db.session.scalars(select(Observation).where(Observation.school_id == school_id).order_by(Observation.observed_at, Observation.id)):
        own_levels = levels.get(o.id, {})
        trait_cells = [""] * len(traits)
        for trait_id, level in own_levels.items():
            trait_cells[trait_columns[trait_id]] = level
        rows.append([o.id, o.observed_at, o.local_date, places.get(o.location_id), rubrics.get(o.rubric_id), o.setting,
                     o.conversation_kind, o.participant_count, o.participant_roles, o.team, o.note, o.needs_follow_up,
                     names.get(o.observer_id), o.walk_id, o.plan_id, o.plan_day, o.version, o.created_at, o.updated_at,
                     o.deleted_at, o.colisten_id, o.counted] + trait_cells)
    return header, rows


def plans_table(school_id: int, names: dict[int, str]) -> tuple[list[str], list[list]]:
    """One row per schedule version of each planned conversation: a changed plan shows each rule and when it held."""
    from server.plans.recurrence import rrule_text

    places = dict(db.session.execute(select(Location.id, Location.name).where(Location.school_id == school_id)).all())
    header = ["plan_id", "name", "purpose", "kind", "place", "participants", "participant_count", "strategy",
              "focus_traits", "owner", "version", "valid_from", "valid_until", "rrule", "starts_at", "ends_at",
              "first_day", "last_day", "added_dates", "cancelled_dates", "deleted_at"]
    rows = []
    for plan in db.session.scalars(select(PlannedConversation).where(PlannedConversation.school_id == school_id)
                                   .order_by(PlannedConversation.name, PlannedConversation.id)):
        for version in plan.schedules:
            rows.append([plan.id, plan.name, plan.purpose, plan.kind, places.get(plan.location_id), plan.participants,
                         plan.participant_count, plan.strategy, plan.focus_traits, names.get(plan.owner_id),
                         version.version, version.valid_from, version.valid_until, rrule_text(version),
                         version.starts_at, version.ends_at, version.first_day, version.last_day,
                         version.added_dates, version.cancelled_dates, plan.deleted_at])
    return header, rows


def practice_tables(school_id: int, names: dict[int, str]) -> dict[str, tuple[list[str], list[list]]]:
    """The school's practice scenarios (with their reference levels and why) and everyone's answers to them."""
    keys = dict(db.session.execute(select(Trait.id, Trait.key)).all())
    rubrics = dict(db.session.execute(select(Rubric.id, Rubric.key)).all())
    scenarios = db.session.scalars(select(PracticeScenario).where(PracticeScenario.school_id == school_id)
                                   .order_by(PracticeScenario.id)).all()
    answers = db.session.scalars(select(PracticeAnswer).where(PracticeAnswer.school_id == school_id)
                                 .order_by(PracticeAnswer.answered_at, PracticeAnswer.id)).all()
    return {
        "practice_scenarios.csv": (["id", "title", "rubric", "setting", "author", "lines", "reference", "created_at",
                                    "withdrawn_at"], [
            [s.id, s.title, rubrics.get(s.rubric_id), s.setting, names.get(s.author_id),
             "\n".join(f"{line['speaker']}: {line['text']}" for line in s.lines),
             "\n".join(f"{keys.get(r.trait_id)}={r.level}: {r.why}" for r in s.references), s.created_at, s.deleted_at]
            for s in scenarios]),
        "practice_answers.csv": (["id", "scenario_id", "person", "answered_at", "levels"], [
            [a.id, a.scenario_id, names.get(a.user_id), a.answered_at,
             [f"{keys.get(level.trait_id)}={level.level}" for level in sorted(a.levels, key=lambda x: x.trait_id)]]
            for a in answers]),
    }


def tables(school: School) -> dict[str, tuple[list[str], list]]:
    """Every file of the export: name → (header, rows)."""
    sid = school.id
    names = people(sid)
    by_school = lambda model, *order: db.session.scalars(select(model).where(model.school_id == sid).order_by(*order))
    files = {"observations.csv": observations_table(sid, names)}
    files["walks.csv"] = (["id", "observer", "started_at", "ended_at", "version", "deleted_at"], [
        [w.id, names.get(w.observer_id), w.started_at, w.ended_at, w.version, w.deleted_at]
        for w in by_school(Walk, Walk.started_at, Walk.id)])
    files["follow_ups.csv"] = (["id", "observation_id", "action", "owner", "created_by", "due_at", "status",
                                "snoozed_until", "changed_practice", "outcome_note", "completed_at", "deleted_at",
                                "relisten", "evidence_observation_id"], [
        [f.id, f.observation_id, f.action, names.get(f.owner_id), names.get(f.created_by_id), f.due_at, f.status,
         f.snoozed_until, f.changed_practice, f.outcome_note, f.completed_at, f.deleted_at, f.relisten,
         f.evidence_observation_id]
        for f in by_school(FollowUp, FollowUp.due_at, FollowUp.id)])
    files["places.csv"] = (["id", "name", "kind", "archived"], [
        [p.id, p.name, p.kind, p.archived] for p in by_school(Location, Location.name, Location.id)])
    files["periods.csv"] = (["id", "name", "starts_at", "ends_at"], [
        [p.id, p.name, p.starts_at, p.ends_at] for p in by_school(Period, Period.starts_at, Period.id)])
    files["plans.csv"] = plans_table(sid, names)
    files["plan_checks.csv"] = (["id", "plan_id", "day", "outcome", "observer", "checked_at", "note", "version",
                                 "created_at", "updated_at", "deleted_at"], [
        [c.id, c.plan_id, c.day, c.outcome, names.get(c.observer_id), c.checked_at, c.note, c.version, c.created_at,
         c.updated_at, c.deleted_at]
        for c in by_school(PlanCheck, PlanCheck.day, PlanCheck.plan_id, PlanCheck.id)])
    files.update(practice_tables(sid, names))
    staff = db.session.execute(
        select(User.name, User.email, Membership.role, Membership.created_at, User.active)
        .join(Membership, Membership.user_id == User.id).where(Membership.school_id == sid).order_by(User.name, User.id))
    files["staff.csv"] = (["name", "email", "role", "since", "active"], [list(row) for row in staff])
    files["audit.csv"] = audit_table(list(by_school(AuditEvent, AuditEvent.at, AuditEvent.id)))
    return files


def audit_table(events: list[AuditEvent]) -> tuple[list[str], list[list]]:
    """The audit log in words and names ("Dana Reyes invited Sam Lee (observer)"), with its codes kept beside them."""
    plain = [{"action": e.action, "actor_id": e.actor_id, "object_type": e.object_type, "object_id": e.object_id,
              "ip": e.ip, "details": e.details or {}} for e in events]
    names = Names(plain)
    return (["at", "what_happened", "actor", "event", "action", "object_type", "object_id", "ip", "details"], [
        [e.at, sentence, names.actor(event), label(e.action), e.action, e.object_type, e.object_id, e.ip,
         json.dumps(e.details, sort_keys=True)]
        for e, event, sentence in zip(events, plain, describe(plain, names))])


def schema_revision() -> str:
    return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar() or ""


def export_school(actor: User | None, school: School) -> tuple[bytes, dict]:
    """The zip (bytes) and its manifest; records an `export.school` audit event with the counts."""
    generated_at = utcnow()
    archive = io.BytesIO()
    counts: dict[str, int] = {}
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zip_file:
        for name, (header, rows) in tables(school).items():
            body, counts[name] = to_csv(header, rows)
            zip_file.writestr(name, body)
        manifest = {
            "school": {"id": school.id, "name": school.name, "district_id": school.district_id, "timezone": school.timezone},
            "generated_at": generated_at.isoformat(),
            "schema_revision": schema_revision(),
            "files": counts,
        }
        zip_file.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
    audit.record("export.school", actor_id=actor.id if actor else None, school_id=school.id, district_id=school.district_id,
                 object_type="school", object_id=school.id, details={"files": counts})
    db.session.flush()
    return archive.getvalue(), manifest
