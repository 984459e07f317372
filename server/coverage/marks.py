"""The coverage grid's cells as HTML: a symbol per occurrence with its words for screen readers and a tooltip.

Built in Python rather than by a Jinja macro per mark: a term of 40 plans has about 1,400 marks, and
a macro call each cost more than the rest of the page. The pieces of a mark come from small sets (a
term's days, a dozen start times, a handful of statuses and log counts), so each is formatted and
escaped once and cached; a mark is then one f-string. Shape and symbol carry the meaning (● heard,
✕ checked with N/C/L for why, ? not checked, ○ upcoming, – cancelled); colour only repeats it.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from markupsafe import Markup, escape

from server.coverage.service import OccurrenceMark, PlanCoverage, mark_words
from server.heatmaps.queries import week_of

SYMBOLS = {"heard": "●", "checked": "✕", "not_checked": "?", "upcoming": "○", "cancelled": "–"}
LETTERS = {"not_held": "N", "cancelled": "C", "not_learning": "L"}


@lru_cache(maxsize=4096)
def day_label(day: date) -> str:
    """'Mon 3 Nov', escaped as all text in the page."""
    return str(escape(f"{day:%a} {day.day} {day:%b}"))


@lru_cache(maxsize=1024)
def words_html(status: str, outcome: str | None, logs: int) -> str:
    return str(escape(mark_words(status, outcome, logs)))


@lru_cache(maxsize=64)
def symbol_html(status: str, outcome: str | None) -> str:
    letter = LETTERS.get(outcome or "", "")
    return SYMBOLS[status] + (f"<sub>{letter}</sub>" if letter else "")


def badge(mark: OccurrenceMark) -> str:
    when = day_label(mark.day)
    words = words_html(mark.status, mark.outcome, mark.logs)
    start = mark.local_start
    title = f"{when} {start.hour:02d}:{start.minute:02d}: {words}" if start else f"{when}: {words}"
    return (f'<span class="cv-mark cv-mark--{mark.status}" title="{title}"><span aria-hidden="true">'
            f'{symbol_html(mark.status, mark.outcome)}</span><span class="visually-hidden">{when}: {words}</span></span>')


def grid_cells(plan: PlanCoverage, weeks: list[date]) -> Markup:
    """The plan's row of <td>, one per week of the range, each with that week's marks."""
    by_week: dict[date, list[str]] = {}
    for mark in plan.marks:
        by_week.setdefault(week_of(mark.day), []).append(badge(mark))
    return Markup("".join(f"<td>{''.join(by_week[week])}</td>" if week in by_week else "<td></td>" for week in weeks))
