"""Did it lead to action? Follow-ups opened, closed on time or late, still open; the share that changed practice.

"Changed practice" is a share of the follow-ups done with an answer to that question (done with
changed_practice true / done with changed_practice true or false): a dropped follow-up or one closed
without an answer says nothing about practice (server/followups/outcomes.py, shared with the summary). Every share carries its n, a 95% Wilson interval, and
is marked too few to read under the school's minimum n. Access is decided by the heatmaps' open_school.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from server.auth.models import User
from server.db import utcnow
from server.enums import FollowUpStatus
from server.followups.outcomes import practice_answer
from server.heatmaps.cells import wilson
from server.heatmaps.service import SETTING_LABELS, TALK_LABELS, SchoolView, open_school
from server.results import evidence
from server.results.queries import FollowUpRow, follow_up_rows


@dataclass
class Share:
    """Of `n` follow-ups done with an answer, `changed` changed practice."""

    n: int = 0
    changed: int = 0
    few: bool = True
    low: float | None = None
    high: float | None = None

    @property
    def value(self) -> float | None:
        return self.changed / self.n if self.n else None


@dataclass
class Tally:
    """What became of a group of follow-ups, as of now."""

    opened: int = 0
    on_time: int = 0      # done on or before the due date (school days, in the school's zone)
    late: int = 0         # done after the due date
    dropped: int = 0
    open: int = 0
    overdue: int = 0      # open, and past the due date (or the snooze)
    answered: int = 0
    changed: int = 0

    def add(self, row: FollowUpRow, now: datetime) -> None:
        self.opened += 1
        if row.status == FollowUpStatus.OPEN:
            self.open += 1
            self.overdue += row.remind_at < now
        elif row.status == FollowUpStatus.DROPPED:
            self.dropped += 1
        else:
            if row.completed_local is None or row.completed_local <= row.due_local:
                self.on_time += 1
            else:
                self.late += 1
        answer = practice_answer(row.status, row.changed_practice)
        if answer is not None:
            self.answered += 1
            self.changed += answer

    def share(self, min_n: int) -> Share:
        interval = wilson(self.changed, self.answered)
        low, high = interval if interval else (None, None)
        return Share(n=self.answered, changed=self.changed, few=self.answered < min_n, low=low, high=high)


@dataclass
class Group:
    key: str
    label: str
    tally: Tally
    share: Share


@dataclass
class Breakdown:
    name: str
    title: str
    groups: list[Group]


@dataclass
class Results:
    view: SchoolView
    as_of: datetime
    total: Tally
    share: Share
    breakdowns: list[Breakdown]
    months: list[Group]
    min_n: int
    heard_again: evidence.HeardAgain
    notes: list[str] = field(default_factory=list)


def not_recorded(label: str) -> Callable[[str | None], str]:
    return lambda key: label if key is None else key


# Each breakdown: (name, title, the keys a follow-up counts under, and their labels). A follow-up from no
# logged conversation is left out of these (it has no trait, setting, kind or team); it counts in the totals.
# A new grouping is one more entry here: its key per follow-up (a field of FollowUpRow) and its labels.
def _breakdowns(view: SchoolView, rows: list[FollowUpRow]) -> list[tuple[str, str, Callable[[FollowUpRow], Iterable[str]], dict[str, str]]]:
    trait_labels = {str(trait.id): trait.label for trait in view.traits}
    plan_labels = {row.plan: row.plan_name for row in rows if row.plan is not None}
    return [
        ("trait", "By trait heard in the conversation", lambda row: [str(t) for t in row.traits], trait_labels),
        ("setting", "By setting", lambda row: [row.setting or ""], {"informal": "Informal", "formal": "Formal",
                                                                      "": SETTING_LABELS[""]}),
        ("kind", "By kind of conversation", lambda row: [row.kind or ""], {**TALK_LABELS, "": "Kind not recorded"}),
        ("team", "By team or grade", lambda row: [row.team or ""], {"": "Team not recorded"}),
        ("plan", "By planned conversation", lambda row: [row.plan or ""], {**plan_labels, "": "Not at a planned conversation"}),
    ]


def month_label(month: date) -> str:
    return f"{month:%b %Y}"


def results(user: User, school_id: int, args: dict, now: datetime | None = None) -> Results:
    """The Results page's figures for the filters (checked like every dashboard view)."""
    view = open_school(user, school_id, args)
    now = now or utcnow()
    rows = follow_up_rows(view.school.id, ZoneInfo(view.school.timezone), view.filters, [t.id for t in view.traits])
    total = Tally()
    for row in rows:
        total.add(row, now)
    breakdowns = []
    for name, title, keys_of, labels in _breakdowns(view, rows):
        tallies: dict[str, Tally] = {}
        for row in rows:
            if not row.linked:
                continue
            for key in keys_of(row):
                tallies.setdefault(key, Tally()).add(row, now)
        order = list(labels) if name == "trait" else sorted(tallies, key=lambda k: (k == "", labels.get(k, k).lower()))
        if name in ("setting", "kind"):
            order = [k for k in labels if k in tallies]
        groups = [Group(key, labels.get(key, key), tallies.get(key, Tally()), tallies.get(key, Tally()).share(view.min_n))
                  for key in order if key in tallies or name == "trait"]
        if name == "plan" and not any(g.key for g in groups):
            groups = []  # no follow-up came from a planned conversation: nothing to compare
        breakdowns.append(Breakdown(name, title, groups))
    by_month: dict[date, Tally] = {}
    for row in rows:
        by_month.setdefault(row.opened_local.replace(day=1), Tally()).add(row, now)
    months = [Group(month.isoformat()[:7], month_label(month), tally, tally.share(view.min_n))
              for month, tally in sorted(by_month.items())]
    return Results(view, now, total, total.share(view.min_n), breakdowns, months, view.min_n,
                   evidence.heard_again(rows, view.traits, view.min_n))


def tally_json(tally: Tally, share: Share) -> dict:
    return {"opened": tally.opened, "closed_on_time": tally.on_time, "closed_late": tally.late,
            "dropped": tally.dropped, "open": tally.open, "overdue": tally.overdue,
            "changed_practice": {"n": share.n, "changed": share.changed, "share": share.value, "few": share.few,
                                 "interval_low": share.low, "interval_high": share.high}}


def as_json(found: Results) -> dict:
    """The figures as the API and the page's numbers give them (one source for both)."""
    group = lambda g: {"key": g.key, "label": g.label, **tally_json(g.tally, g.share)}  # noqa: E731
    filters = found.view.filters
    return {"school_id": found.view.school.id, "as_of": found.as_of, "date_from": filters.date_from,
            "date_to": filters.date_to, "min_n": found.min_n, "totals": tally_json(found.total, found.share),
            "breakdowns": [{"name": b.name, "title": b.title, "groups": [group(g) for g in b.groups]}
                           for b in found.breakdowns],
            "months": [group(g) for g in found.months], "heard_again": evidence.as_json(found.heard_again)}
