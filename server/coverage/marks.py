"""The coverage grid's cells as HTML: a symbol per occurrence with its words for screen readers and a tooltip.

Built in Python rather than by a Jinja macro per mark: a term of 40 plans has about 1,400 marks, and
a macro call each cost more than the rest of the page. Shape and symbol carry the meaning (● heard,
✕ checked with N/C/L for why, ? not checked, ○ upcoming, – cancelled); colour only repeats it.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from markupsafe import Markup, escape

from server.coverage.service import OccurrenceMark, PlanCoverage
from server.heatmaps.queries import week_of

SYMBOLS = {"heard": "●", "checked": "✕", "not_checked": "?", "upcoming": "○", "cancelled": "–"}
LETTERS = {"not_held": "N", "cancelled": "C", "not_learning": "L"}


def badge(mark: OccurrenceMark) -> str:
    when = f"{mark.day:%a} {mark.day.day} {mark.day:%b}"
    title = escape(f"{when} {mark.local_start:%H:%M}: {mark.words}" if mark.local_start else f"{when}: {mark.words}")
    letter = LETTERS.get(mark.outcome or "", "")
    symbol = SYMBOLS[mark.status] + (f"<sub>{letter}</sub>" if letter else "")
    return (f'<span class="cv-mark cv-mark--{mark.status}" title="{title}"><span aria-hidden="true">{symbol}</span>'
            f'<span class="visually-hidden">{escape(when)}: {escape(mark.words)}</span></span>')


def grid_cells(plan: PlanCoverage, weeks: list[date]) -> Markup:
    """The plan's row of <td>, one per week of the range, each with that week's marks."""
    by_week: dict[date, list[str]] = defaultdict(list)
    for mark in plan.marks:
        by_week[week_of(mark.day)].append(badge(mark))
    return Markup("".join(f"<td>{''.join(by_week.get(week, ()))}</td>" for week in weeks))
