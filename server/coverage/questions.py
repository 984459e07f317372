"""Questions worth discussing, drawn from coverage: which planned conversation happens least, which go unchecked.

A happened share is cited only when at least the school's minimum n occurrences were checked, with its
interval; a plan never checked is named only when it was due at least that many times.
"""
from __future__ import annotations

from datetime import date, timedelta

from server.coverage.service import MAX_DAYS, CoverageSummary, school_coverage
from server.heatmaps.questions import Question, pct

CLEARLY_MISSED = 0.75  # below this share of checked occurrences heard, a plan is worth a question


def span_words(summary: CoverageSummary, term: bool) -> str:
    if term:
        return "this term"
    return f"between {summary.start.day} {summary.start:%b} and {summary.end.day} {summary.end:%b}"


def times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def ask(summary: CoverageSummary, term: bool = True) -> list[Question]:
    found = []
    current = [plan for plan in summary.plans if not plan.removed]  # a deleted plan is history, not a question
    readable = [plan for plan in current if plan.happened.n >= summary.min_n]
    if readable:
        plan = min(readable, key=lambda p: (p.happened.value, -p.happened.n, p.name))
        if plan.happened.value < CLEARLY_MISSED:
            found.append(Question(
                f"The {plan.name} was checked {times(plan.happened.n)} {span_words(summary, term)} and happened "
                f"{times(plan.happened.count)} ({pct(plan.happened.value)}, 95% interval {pct(plan.happened.low)}–"
                f"{pct(plan.happened.high)}).",
                f"What gets in the way of the {plan.name}, and what would help it take place?"))
    unchecked = [plan for plan in current if plan.past >= summary.min_n and plan.checked.count == 0]
    if unchecked:
        names = ", ".join(plan.name for plan in unchecked[:3]) + ("…" if len(unchecked) > 3 else "")
        found.append(Question(
            f"{len(unchecked)} planned conversation{'s were' if len(unchecked) != 1 else ' was'} due at least "
            f"{summary.min_n} times {span_words(summary, term)} and never checked: {names}.",
            "Which of them should the next walks visit, so the plan is not left to chance?"))
    return found


def for_dashboard(school, date_from: date | None, date_to: date | None) -> list[Question]:
    """The coverage questions over the dashboard's range (the plans' term when none), if it fits in a school year."""
    if date_from and date_to and (date_to - date_from).days + 1 > MAX_DAYS:
        return []
    if date_from and not date_to:
        date_to = date_from + timedelta(days=MAX_DAYS - 1)
    summary = school_coverage(school, date_from, date_to, detail=False)
    return ask(summary, term=not (date_from or date_to))
