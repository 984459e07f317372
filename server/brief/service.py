"""The meeting brief of one school: what happened in the period, what changed beyond its uncertainty,
where it was quiet, what is rare where it matters, whether follow-ups changed practice, and what to
discuss. Every figure comes from the dashboard's own services (heatmaps, results), so the brief and the
dashboard never disagree. Access: the heatmaps' open_school; the leadership version (observers, notes,
every team) only for those who may see observers, the staff version for everyone else.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import abort
from sqlalchemy import func, select

from server.auth.models import User
from server.brief import figures, sections
from server.brief.periods import Period, choose, local_today
from server.db import db, utcnow
from server.enums import FollowUpStatus
from server.followups.models import FollowUp
from server.heatmaps import questions, service
from server.heatmaps.cells import Heatmap
from server.heatmaps.queries import Filters
from server.heatmaps.questions import Question
from server.heatmaps.service import ALL, SchoolView
from server.observations.models import Observation
from server.results import service as results_service
from server.results.queries import FollowUpRow, as_utc, local_bounds, outcome_rows_by_school
from server.schools.models import District, School
from server.walks.models import Walk

QUESTIONS_SHOWN = 5
NOTES_SHOWN = 6


@dataclass
class ResultsLine:
    """What became of the follow-ups opened in a period, as of now."""

    label: str
    start: date
    end: date
    tally: results_service.Tally
    share: results_service.Share


@dataclass
class Brief:
    district: District
    school: School | None
    version: str
    period: Period
    previous: tuple[date, date]
    generated_at: datetime
    min_n: int
    min_hours: float
    rubric_name: str
    numbers: dict
    changes: list[figures.ChangeLine] = field(default_factory=list)
    quiet: list[figures.Quiet] = field(default_factory=list)
    little_listening: list[str] = field(default_factory=list)
    rare: list[figures.Rare] = field(default_factory=list)
    results: list[ResultsLine] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    sections: list[sections.Section] = field(default_factory=list)
    tables: dict[str, Heatmap] = field(default_factory=dict)
    observers: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    schools: list[dict] = field(default_factory=list)   # the district brief's schools side by side

    @property
    def staff(self) -> bool:
        return self.version == "staff"

    @property
    def place(self) -> str:
        return self.school.name if self.school else self.district.name


def choose_version(asked: str | None, may_lead: bool) -> str:
    """Leadership for those who may see observers (unless they ask for the staff one); staff for others."""
    if asked == "leadership" and not may_lead:
        abort(403, description="The leadership version is for principals and district admins; the staff version "
                              "shows the same school-wide patterns.")
    return asked or ("leadership" if may_lead else "staff")


def school_brief(user: User, school_id: int, args: dict, now: datetime | None = None) -> Brief:
    now = now or utcnow()
    view = service.open_school(user, school_id, {"rubric_id": args.get("rubric_id")})  # access first: 404 / 403
    version = choose_version(args.get("version"), service.sees_observers(user, school_id))
    period = choose(args, local_today(view.school.timezone, now), school_id=school_id)
    staff = version == "staff"
    view, before = in_period(view, period.start, period.end), in_period(view, *period.previous())

    by_setting, by_kind = service.quality(view, "setting"), service.quality(view, "kind")
    frequency, trends = service.frequency(view), service.trends(view)
    before_by_setting = service.quality(before, "setting")
    whole = frequency.cell(ALL, ALL)
    brief = Brief(view.school.district, view.school, version, period, period.previous(), now, view.min_n, view.min_hours,
                  view.rubric.name, numbers={
                      "conversations": whole.conversations or 0, "hours": whole.hours or 0.0,
                      "rate": whole.value if whole.hours else None,
                      "rate_low": whole.interval[0] if whole.hours else None,
                      "rate_high": whole.interval[1] if whole.hours else None})
    brief.changes = figures.share_changes(
        ((row.label, by_setting.cell(row.key, ALL), before_by_setting.cell(row.key, ALL)) for row in by_setting.rows),
        view.min_n)
    rate = figures.rate_change((whole.walked or 0, whole.hours or 0.0), listening(before), view.min_n)
    brief.changes += [rate] if rate else []
    brief.quiet, brief.little_listening = figures.quiet_places(frequency), figures.little_listening(frequency)
    brief.rare = figures.rare_where_it_matters(by_kind)
    teams = figures.transpose(service.quality(view, "team"), "Team or grade")
    if staff:
        by_setting, frequency, teams = (figures.for_staff(table) for table in (by_setting, frequency, teams))
        teams.rows = [row for row in teams.rows if row.total or not teams.cell(row.key, teams.columns[-1].key).few]
    brief.questions = questions.ask(by_setting, frequency, trends)[:QUESTIONS_SHOWN]
    brief.tables = {"by_setting": by_setting, "frequency": frequency, "teams": teams}
    brief.results = [follow_up_results(view.school, "Follow-ups opened in this period", period.start, period.end, now),
                     follow_up_results(view.school, "Follow-ups opened in the period before", *period.previous(), now)]
    brief.sections = sections.collect(sections.SectionContext(user, view.school, period.start, period.end, staff,
                                                              view.min_n))
    if not staff:
        brief.observers = observer_listening(view.school, period)
        brief.notes = outcome_notes(view.school, period)
    return brief


def in_period(view: SchoolView, start: date, end: date) -> SchoolView:
    filters = service.make_filters({"date_from": start, "date_to": end}, (view.school.id,), view.rubric.id)
    return SchoolView(view.school, view.schedule, view.rubric, view.traits, filters, view.min_n, view.min_hours)


def listening(view: SchoolView) -> tuple[int, float]:
    """(conversations heard on walks, hours of listening) of a period, without building its table."""
    tallies, _source = service.presence(view, by_date=False, need_slots=False)
    return (int(sum(counts[1] for counts in tallies.values())),
            sum(counts[2] for counts in tallies.values()) / 3600.0)


def follow_up_results(school: School, label: str, start: date, end: date, now: datetime) -> ResultsLine:
    """The Results page's totals for follow-ups opened in the period (one light read: no breakdowns)."""
    return results_line(school, label, outcome_rows_by_school([school], start, end)[school.id], start, end, now)


def results_line(school: School, label: str, rows: list[FollowUpRow], start: date, end: date, now: datetime) -> ResultsLine:
    tally = results_service.Tally()
    for row in rows:
        tally.add(row, now)
    return ResultsLine(label, start, end, tally, tally.share(school.min_cell_n))


def bounds(period: Period, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The period as UTC instants, from the start of its first local day to the end of its last."""
    return local_bounds(Filters(date_from=period.start, date_to=period.end), zone)


def observer_listening(school: School, period: Period) -> list[dict]:
    """Leadership version only: each observer's walks, hours and conversations in the period."""
    zone = ZoneInfo(school.timezone)
    start, end = bounds(period, zone)
    found: dict[int | None, dict] = {}
    for observer_id, started, ended in db.session.execute(
            select(Walk.observer_id, Walk.started_at, Walk.ended_at).where(
                Walk.school_id == school.id, Walk.deleted_at.is_(None), Walk.started_at >= start, Walk.started_at < end)):
        entry = found.setdefault(observer_id, {"walks": 0, "hours": 0.0, "conversations": 0})
        entry["walks"] += 1
        entry["hours"] += max(0.0, (ended - started).total_seconds() / 3600.0) if ended else 0.0
    for observer_id, count in db.session.execute(
            select(Observation.observer_id, func.count()).where(
                Observation.school_id == school.id, Observation.deleted_at.is_(None),
                Observation.local_date >= period.start, Observation.local_date <= period.end)
            .group_by(Observation.observer_id)):
        found.setdefault(observer_id, {"walks": 0, "hours": 0.0, "conversations": 0})["conversations"] = count
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_([k for k in found if k]))).all())
    rows = [{"name": names.get(observer_id, "A removed user"), **entry} for observer_id, entry in found.items()]
    return sorted(rows, key=lambda row: (-row["hours"], row["name"].lower()))


def outcome_notes(school: School, period: Period) -> list[dict]:
    """Leadership version only: what changed, in the owners' words, for follow-ups done in the period."""
    zone = ZoneInfo(school.timezone)
    start, end = bounds(period, zone)
    rows = db.session.execute(
        select(FollowUp.completed_at, FollowUp.changed_practice, FollowUp.action, FollowUp.outcome_note).where(
            FollowUp.school_id == school.id, FollowUp.deleted_at.is_(None), FollowUp.status == FollowUpStatus.DONE,
            FollowUp.outcome_note.is_not(None), FollowUp.outcome_note != "",
            FollowUp.completed_at >= start, FollowUp.completed_at < end)
        .order_by(FollowUp.completed_at.desc()).limit(NOTES_SHOWN))
    return [{"day": as_utc(done).astimezone(zone).date(), "changed_practice": changed, "action": action, "note": note}
            for done, changed, action, note in rows]
