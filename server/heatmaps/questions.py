"""Questions worth discussing, drawn from a school's own numbers: a start for the leadership meeting, not a verdict.

Only cells with at least the school's minimum n are used, so a question never rests on two conversations;
rates too thin to read (too little listening, too wide an interval) are never cited, and under a setting,
kind or team filter no rates are compared at all: they count part of the talk over all the listening.
"""
from __future__ import annotations

from dataclasses import dataclass

from server.heatmaps.cells import Heatmap
from server.heatmaps.rates import DEFAULT_MIN_HOURS
from server.heatmaps.service import ALL

EDGE_WEEKS = 4    # trends compare the first and the last four weeks with data


@dataclass(frozen=True)
class Question:
    finding: str   # what the numbers say
    prompt: str    # what to talk about


def pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def ask(by_setting: Heatmap, frequency: Heatmap, trends: Heatmap) -> list[Question]:
    """`by_setting` is the quality table by setting; the others as the dashboard shows them."""
    found = (rarest_trait(by_setting), formal_informal_gap(by_setting), rarest_in_formal(by_setting),
             quietest_place(frequency), blind_spots(frequency), biggest_move(trends))
    return [question for question in found if question]


def readable(heatmap: Heatmap, column) -> list[tuple[str, float, int]]:
    """(row label, value, n) of the column's cells that are not too few to read."""
    found = []
    for row in heatmap.rows:
        cell = heatmap.cell(row.key, column)
        if cell.value is not None and not cell.few and not row.total:
            found.append((row.label, cell.value, cell.n))
    return found


def rarest_trait(quality: Heatmap) -> Question | None:
    cells = readable(quality, ALL)
    if not cells:
        return None
    label, share, n = min(cells, key=lambda item: item[1])
    return Question(f"{label} is the rarest trait: heard in {pct(share)} of {n:,} conversations.",
                    f"Where could {label.lower()} come into the talk that already happens?")


def formal_informal_gap(quality: Heatmap) -> Question | None:
    formal = {label: share for label, share, _ in readable(quality, "formal")}
    informal = {label: share for label, share, _ in readable(quality, "informal")}
    gaps = [(formal[label] - informal[label], label) for label in formal if label in informal]
    if not gaps:
        return None
    gap, label = max(gaps)
    if gap <= 0.05:
        return None
    return Question(f"{label} is heard in {pct(formal[label])} of formal meetings but {pct(informal[label])} of "
                    "informal talk (hallway, lounge, lunch).",
                    f"What would it take for {label.lower()} to travel from the meeting room into everyday conversations?")


def rarest_in_formal(quality: Heatmap) -> Question | None:
    cells = readable(quality, "formal")
    if not cells:
        return None
    label, share, n = min(cells, key=lambda item: item[1])
    return Question(f"In formal meetings (PLCs, data teams, coaching…), {label} is the rarest trait: {pct(share)} of {n:,}.",
                    f"What would help our meetings make more room for {label.lower()}?")


def quietest_place(frequency: Heatmap) -> Question | None:
    if frequency.rate_filter:
        return None  # a place at 0.0 Formal conversations per hour is not a quiet place
    cells = []
    for row in frequency.rows:
        for column in frequency.columns:
            cell = frequency.cell(row.key, column.key)
            if row.total or column.total or cell.value is None or cell.fallback or cell.thin:
                continue
            cells.append((cell.value, row.label, column.label, cell.hours))
    if len(cells) < 2:
        return None
    rate, place, period, hours = min(cells)
    busiest = max(cells)
    return Question(f"The quietest place and time with enough listening: {place}, {period}, {rate:.1f} conversations "
                    f"per hour over {hours:.1f} hours. The busiest: {busiest[1]}, {busiest[2]}, {busiest[0]:.1f} per hour.",
                    f"What keeps adults from talking in {place} during {period}, and does it matter?")


def blind_spots(frequency: Heatmap) -> Question | None:
    least = frequency.min_hours or DEFAULT_MIN_HOURS
    quiet = [column.label for column in frequency.columns if not column.total
             and (frequency.cell(ALL, column.key).hours or 0) < least]
    if not quiet or len(quiet) == len([c for c in frequency.columns if not c.total]):
        return None
    listed = ", ".join(quiet[:4]) + ("…" if len(quiet) > 4 else "")
    return Question(f"Less than {hours_text(least)} of listening in: {listed}.",
                    "Are good conversations happening there that the leadership team does not see?")


def hours_text(hours: float) -> str:
    return "an hour" if hours == 1 else f"{hours:g} hours"


def biggest_move(trends: Heatmap) -> Question | None:
    weeks = [column.key for column in trends.columns]
    if len(weeks) < 2 * EDGE_WEEKS:
        return None
    moves = []
    for row in trends.rows:
        first = [trends.cell(row.key, week) for week in weeks[:EDGE_WEEKS]]
        last = [trends.cell(row.key, week) for week in weeks[-EDGE_WEEKS:]]
        n_first, n_last = sum(c.n for c in first), sum(c.n for c in last)
        if n_first < trends.min_n or n_last < trends.min_n:
            continue
        before = sum(c.heard or 0 for c in first) / n_first
        after = sum(c.heard or 0 for c in last) / n_last
        moves.append((abs(after - before), after - before, row.label, before, after))
    if not moves:
        return None
    _size, change, label, before, after = max(moves)
    direction = "rose" if change > 0 else "fell"
    return Question(f"{label} {direction} from {pct(before)} in the first four weeks to {pct(after)} in the last four.",
                    "What changed, and what would keep it going?" if change > 0 else "What changed, and what can we do about it?")
