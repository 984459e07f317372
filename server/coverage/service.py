"""Coverage: do the planned conversations happen, and how good are the ones that do?

Each occurrence of a plan in the range is, in this order of precedence: cancelled (taken off the
schedule), heard (a live log is linked to its plan and local day), checked (someone went and did not
hear it: not held, called off on the day, or logistics only — the latest check counts), upcoming
(not started yet) or not checked. Per plan: checked k of n (n = occurrences that have started, or
have a record), happened j of k (heard of those checked) with a 95 % Wilson interval, marked too few
under the school's minimum n; the trait shares of its logs (focus traits marked); its follow-ups.

`school_coverage(school, start, end)` is the one entry point: the page, the JSON, the CSV, the
dashboard's questions, the district table and the meeting brief all read its CoverageSummary.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from server.coverage import occurrences, queries
from server.db import db, utcnow
from server.heatmaps.cells import wilson
from server.heatmaps.queries import week_of
from server.plans.models import PlannedConversation
from server.results.service import Tally
from server.rubrics.models import Rubric, Trait
from server.schools.models import Location, School

DEFAULT_WEEKS = 12      # with no plans, the range is the last twelve weeks
MAX_DAYS = 400
OUTCOME_WORDS = {"not_held": "did not meet", "cancelled": "called off on the day", "not_learning": "logistics only"}
STATUS_WORDS = {"heard": "heard", "checked": "checked, not heard", "not_checked": "not checked",
                "upcoming": "upcoming", "cancelled": "cancelled"}


@dataclass(frozen=True)
class Share:
    """`count` of `n`, with its 95 % Wilson interval; `few` under the school's minimum n."""

    n: int
    count: int
    few: bool
    low: float | None = None
    high: float | None = None

    @property
    def value(self) -> float | None:
        return self.count / self.n if self.n else None


def share(count: int, n: int, min_n: int) -> Share:
    interval = wilson(count, n)
    low, high = interval if interval else (None, None)
    return Share(n, count, n < min_n, low, high)


@dataclass(slots=True)
class OccurrenceMark:
    day: date
    local_start: datetime | None
    status: str                 # heard | checked | not_checked | upcoming | cancelled
    outcome: str | None = None  # for checked: not_held | cancelled | not_learning
    logs: int = 0

    @property
    def words(self) -> str:
        return mark_words(self.status, self.outcome, self.logs)


def mark_words(status: str, outcome: str | None, logs: int) -> str:
    """A mark in words, as screen readers and the tooltip say it."""
    if status == "checked":
        return f"checked, not heard: {OUTCOME_WORDS.get(outcome, outcome)}"
    if status == "heard":
        return f"heard ({logs} log{'s' if logs != 1 else ''})"
    return STATUS_WORDS[status]


@dataclass(frozen=True)
class TraitShare:
    key: str
    label: str
    focus: bool
    share: Share
    strong: int


@dataclass
class PlanCoverage:
    plan_id: int
    name: str
    kind: str
    place: str | None
    focus_traits: list[str]
    marks: list[OccurrenceMark]
    checked: Share              # k of n
    happened: Share             # j of k
    counts: dict[str, int]      # not_held, cancelled_on_the_day, not_learning, upcoming, cancelled, not_checked
    logs: int = 0
    traits: list[TraitShare] = field(default_factory=list)
    follow_ups: Tally = field(default_factory=Tally)
    changed_practice: Share | None = None
    removed: bool = False       # deleted from the plan: only its occurrences before then are marked

    @property
    def past(self) -> int:
        return self.checked.n


@dataclass
class CoverageSummary:
    """A school's coverage over [start, end] (local days), as of a moment."""

    school_id: int
    school_name: str
    timezone: str
    start: date
    end: date
    as_of: datetime
    min_n: int
    weeks: list[date]
    plans: list[PlanCoverage]
    checked: Share
    happened: Share
    never_checked: int

    @property
    def past(self) -> int:
        return self.checked.n


def plans_with_schedules(school_id: int) -> list[PlannedConversation]:
    return list(db.session.scalars(
        select(PlannedConversation).where(PlannedConversation.school_id == school_id)
        .options(selectinload(PlannedConversation.schedules))
        .order_by(PlannedConversation.name, PlannedConversation.id)))


def default_range(school: School, plans: list[PlannedConversation], now: datetime) -> tuple[date, date]:
    """The plans' term (earliest first day to latest last day), at most 400 days; the last 12 weeks without plans."""
    versions = [schedule for plan in plans for schedule in plan.schedules]
    if not versions:
        today = now.astimezone(ZoneInfo(school.timezone)).date()
        return today - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1), today
    start = min(v.first_day for v in versions)
    end = max(v.last_day for v in versions)
    return start, min(end, start + timedelta(days=MAX_DAYS - 1))


def resolve_range(school: School, plans: list, start: date | None, end: date | None, now: datetime) -> tuple[date, date]:
    first, last = default_range(school, plans, now)
    if start is None and end is not None:
        start = max(first, end - timedelta(days=MAX_DAYS - 1)) if first <= end else end - timedelta(weeks=DEFAULT_WEEKS)
    start = start or first
    end = end or max(start, min(last, start + timedelta(days=MAX_DAYS - 1)))
    return start, end


def mark_days(plan, zone: str, start: date, end: date, heard: dict, checks: dict, now: datetime) -> list[OccurrenceMark]:
    marks = []
    for planned in occurrences.planned_days(plan, zone, start, end):
        key = (plan.id, planned.day)
        logs = heard.get(key, 0)
        if planned.cancelled:
            marks.append(OccurrenceMark(planned.day, None, "cancelled"))
        elif logs:
            marks.append(OccurrenceMark(planned.day, planned.local_start, "heard", logs=logs))
        elif key in checks:
            marks.append(OccurrenceMark(planned.day, planned.local_start, "checked", checks[key]))
        elif planned.utc_start > now:
            marks.append(OccurrenceMark(planned.day, planned.local_start, "upcoming"))
        else:
            marks.append(OccurrenceMark(planned.day, planned.local_start, "not_checked"))
    return marks


def plan_counts(marks: list[OccurrenceMark]) -> dict[str, int]:
    counts = dict.fromkeys(("heard", "checked", "not_checked", "upcoming", "cancelled", "not_held",
                            "cancelled_on_the_day", "not_learning"), 0)
    for mark in marks:
        counts[mark.status] += 1
        if mark.status == "checked":
            counts[{"cancelled": "cancelled_on_the_day"}.get(mark.outcome, mark.outcome)] += 1
    return counts


def default_rubric_traits() -> tuple[int | None, list[tuple[int, str, str]]]:
    """The default rubric's id and its traits' (id, key, label): a plan's focus names their keys."""
    rows = db.session.execute(select(Trait.rubric_id, Trait.id, Trait.key, Trait.label).join(Rubric)
                              .where(Rubric.district_id.is_(None), Rubric.is_default).order_by(Trait.position)).all()
    return (rows[0][0] if rows else None), [tuple(row[1:]) for row in rows]


def school_coverage(school: School, start: date | None = None, end: date | None = None, *,
                    now: datetime | None = None, detail: bool = True) -> CoverageSummary:
    """The school's coverage over local days [start, end] (default: the plans' term). `detail=False` leaves
    out trait shares and follow-ups (the district table, the dashboard's questions). Access is the caller's."""
    now = now or utcnow()
    plans = plans_with_schedules(school.id)
    start, end = resolve_range(school, plans, start, end, now)
    heard = queries.heard_days(school.id, start, end)
    checks = queries.checks(school.id, start, end)
    rubric_id, traits = default_rubric_traits() if detail else (None, [])
    tallies = queries.trait_tallies(school.id, start, end, rubric_id, [t[0] for t in traits]) if detail and plans else {}
    follow_ups = queries.follow_ups(school.id, start, end, ZoneInfo(school.timezone)) if detail and plans else {}
    places = {row.id: row.name for row in db.session.execute(
        select(Location.id, Location.name).where(Location.school_id == school.id))} if detail else {}
    min_n = school.min_cell_n
    found = []
    for plan in plans:
        marks = mark_days(plan, school.timezone, start, end, heard, checks, now)
        if plan.deleted_at is not None and not marks:
            continue  # deleted before this range: nothing of it to show
        counts = plan_counts(marks)
        k = counts["heard"] + counts["checked"]
        n = k + counts["not_checked"]
        coverage = PlanCoverage(plan.id, plan.name, plan.kind.value, places.get(plan.location_id),
                                list(plan.focus_traits or []), marks, share(k, n, min_n), share(counts["heard"], k, min_n),
                                counts, logs=sum(mark.logs for mark in marks), removed=plan.deleted_at is not None)
        if detail:
            focus = set(coverage.focus_traits)
            coverage.traits = [TraitShare(key, label, key in focus,
                                          share(tallies.get((plan.id, tid), [0, 0, 0])[1],
                                                tallies.get((plan.id, tid), [0, 0, 0])[0], min_n),
                                          tallies.get((plan.id, tid), [0, 0, 0])[2]) for tid, key, label in traits]
            for row in follow_ups.get(plan.id, []):
                coverage.follow_ups.add(row, now)
            coverage.changed_practice = share(coverage.follow_ups.changed, coverage.follow_ups.answered, min_n)
        found.append(coverage)
    k = sum(p.checked.count for p in found)
    return CoverageSummary(
        school.id, school.name, school.timezone, start, end, now, min_n,
        [week_of(start) + timedelta(weeks=i) for i in range((week_of(end) - week_of(start)).days // 7 + 1)],
        found, share(k, sum(p.checked.n for p in found), min_n),
        share(sum(p.happened.count for p in found), k, min_n),
        sum(1 for p in found if p.past and not p.checked.count))


# ---------------------------------------------------------------- the JSON shape (one source for API and CSV)

def share_json(value: Share | None) -> dict | None:
    if value is None:
        return None
    return {"n": value.n, "count": value.count, "share": value.value, "interval_low": value.low,
            "interval_high": value.high, "few": value.few}


def plan_json(plan: PlanCoverage, prepared: bool = True) -> dict:
    """One plan's figures; `prepared` writes days and times as ISO text (what the schema would dump)."""
    iso = (lambda value: value and value.isoformat()) if prepared else (lambda value: value)  # noqa: E731
    tally = plan.follow_ups
    return {
        "plan_id": plan.plan_id, "name": plan.name, "removed": plan.removed, "kind": plan.kind, "place": plan.place,
        "focus_traits": plan.focus_traits, "past": plan.past, "checked": share_json(plan.checked),
        "happened": share_json(plan.happened), "not_held": plan.counts["not_held"],
        "cancelled_on_the_day": plan.counts["cancelled_on_the_day"], "not_learning": plan.counts["not_learning"],
        "upcoming": plan.counts["upcoming"], "cancelled": plan.counts["cancelled"], "logs": plan.logs,
        "traits": [{"key": t.key, "label": t.label, "focus": t.focus, "strong": t.strong, **share_json(t.share)}
                   for t in plan.traits],
        "follow_ups": {"opened": tally.opened, "done": tally.on_time + tally.late, "dropped": tally.dropped,
                       "open": tally.open, "overdue": tally.overdue,
                       "changed_practice": share_json(plan.changed_practice or share(0, 0, 1))},
        "occurrences": [{"day": iso(m.day), "local_start": iso(m.local_start),
                         "status": m.status, "outcome": m.outcome, "logs": m.logs} for m in plan.marks],
    }


def as_json(summary: CoverageSummary) -> dict:
    """The API's answer; `plans` is JSON-ready as it stands (schemas/coverage.py: Prepared)."""
    return {"school_id": summary.school_id, "timezone": summary.timezone, "start": summary.start, "end": summary.end,
            "as_of": summary.as_of, "min_n": summary.min_n, "weeks": summary.weeks,
            "totals": {"plans": len(summary.plans), "past": summary.past, "checked": share_json(summary.checked),
                       "happened": share_json(summary.happened), "never_checked": summary.never_checked},
            "plans": [plan_json(plan) for plan in summary.plans]}


def district_coverage(schools: list[School], start: date | None = None, end: date | None = None) -> list[CoverageSummary]:
    """Each school's coverage without trait shares or follow-ups (the district table), over its own term
    unless a range is given; a range longer than a school year is cut to its last 400 days."""
    if start and end and (end - start).days + 1 > MAX_DAYS:
        start = end - timedelta(days=MAX_DAYS - 1)
    return [school_coverage(school, start, end, detail=False) for school in schools]
