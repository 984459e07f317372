"""Questions worth discussing, drawn from a school's own numbers: a start for the leadership meeting, not a verdict.

Only cells with at least the school's minimum n are used, so a question never rests on two conversations;
rates too thin to read (too little listening, too wide an interval) are never cited, and under a setting,
kind or team filter no rates are compared at all: they count part of the talk over all the listening.
A gap or a move is called one only when it is larger than its uncertainty (server/heatmaps/change.py);
otherwise the question says there is no clear difference.
"""
from __future__ import annotations

from dataclasses import dataclass

from server.heatmaps.cells import Heatmap
from server.heatmaps.change import interval_words, rate_ratio, share_difference
from server.heatmaps.rates import DEFAULT_MIN_HOURS
from server.heatmaps.service import ALL

EDGE_WEEKS = 4    # trends compare the first and the last four weeks with data


@dataclass(frozen=True)
class Question:
    finding: str   # what the numbers say
    prompt: str    # what to talk about
    source: str = ""  # the table the number comes from: "quality" (by setting), "frequency" or "trends"


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
                    f"Where could {label.lower()} come into the talk that already happens?", "quality")


def heard_counts(quality: Heatmap, column) -> dict[str, tuple[int, int]]:
    """label → (heard, n) of the column's readable cells."""
    found = {}
    for row in quality.rows:
        cell = quality.cell(row.key, column)
        if cell.value is not None and cell.heard is not None and not cell.few and not row.total:
            found[row.label] = (cell.heard, cell.n)
    return found


def formal_informal_gap(quality: Heatmap) -> Question | None:
    """The trait most clearly more often heard in formal meetings than in informal talk; if the largest
    gap is within its uncertainty, that there is no clear gap."""
    formal, informal = heard_counts(quality, "formal"), heard_counts(quality, "informal")
    gaps = []
    for label in formal.keys() & informal.keys():
        change = share_difference(*formal[label], *informal[label])
        if change.estimate > 0.05:
            gaps.append((change.estimate, label, change))
    if not gaps:
        return None
    clear = [gap for gap in gaps if gap[2].clear]
    gap, label, change = max(clear or gaps, key=lambda item: (item[0], item[1]))
    shares = (f"{label} is heard in {pct(formal[label][0] / formal[label][1])} of formal meetings and "
              f"{pct(informal[label][0] / informal[label][1])} of informal talk")
    if not clear:
        return Question(f"No clear gap between formal meetings and informal talk: the largest, {shares}, is within "
                        f"its uncertainty ({interval_words(change)}).",
                        "Is there a trait we expect in our meetings that should travel into everyday conversations?", "quality")
    return Question(f"{shares} (hallway, lounge, lunch): {points_text(gap)} more in meetings ({interval_words(change)}).",
                    f"What would it take for {label.lower()} to travel from the meeting room into everyday conversations?", "quality")


def points_text(difference: float) -> str:
    return f"{abs(difference) * 100:.0f} points"


def rarest_in_formal(quality: Heatmap) -> Question | None:
    cells = readable(quality, "formal")
    if not cells:
        return None
    label, share, n = min(cells, key=lambda item: item[1])
    return Question(f"In formal meetings (PLCs, data teams, coaching…), {label} is the rarest trait: {pct(share)} of {n:,}.",
                    f"What would help our meetings make more room for {label.lower()}?", "quality")


def quietest_place(frequency: Heatmap) -> Question | None:
    """The quietest and the busiest readable place and time; the busiest is called busier only when the ratio of
    their rates is larger than its uncertainty (exact conditional interval, server/heatmaps/change.py)."""
    if frequency.rate_filter:
        return None  # a place at 0.0 Formal conversations per hour is not a quiet place
    cells = []
    for row in frequency.rows:
        for column in frequency.columns:
            cell = frequency.cell(row.key, column.key)
            if row.total or column.total or cell.value is None or cell.fallback or cell.thin:
                continue
            cells.append((cell.value, row.label, column.label, cell.hours, cell.walked or 0))
    if len(cells) < 2:
        return None
    rate, place, period, hours, heard = min(cells)
    busiest = max(cells)
    change = rate_ratio(busiest[4], busiest[3], heard, hours)
    quietest = (f"The quietest place and time with enough listening: {place}, {period}, {rate:.1f} conversations "
                f"per hour over {hours:.1f} hours. The busiest: {busiest[1]}, {busiest[2]}, {busiest[0]:.1f} per hour")
    if not change.clear:
        return Question(f"{quietest}: no clear difference, the gap is within its uncertainty ({interval_words(change)}).",
                        f"Is {place} during {period} really quieter, or would more listening there show otherwise?",
                        "frequency")
    return Question(f"{quietest}, {change.estimate:.1f} times as often ({interval_words(change)}).",
                    f"What keeps adults from talking in {place} during {period}, and does it matter?", "frequency")


def blind_spots(frequency: Heatmap) -> Question | None:
    least = frequency.min_hours or DEFAULT_MIN_HOURS
    quiet = [column.label for column in frequency.columns if not column.total
             and (frequency.cell(ALL, column.key).hours or 0) < least]
    if not quiet or len(quiet) == len([c for c in frequency.columns if not c.total]):
        return None
    listed = ", ".join(quiet[:4]) + ("…" if len(quiet) > 4 else "")
    return Question(f"Less than {hours_text(least)} of listening in: {listed}.",
                    "Are good conversations happening there that the leadership team does not see?", "frequency")


def hours_text(hours: float) -> str:
    return "an hour" if hours == 1 else f"{hours:g} hours"


def biggest_move(trends: Heatmap) -> Question | None:
    """The trait that moved most clearly between the first and the last four weeks; if no move is larger
    than its uncertainty, that there is no clear change."""
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
        heard_first, heard_last = sum(c.heard or 0 for c in first), sum(c.heard or 0 for c in last)
        change = share_difference(heard_last, n_last, heard_first, n_first)
        moves.append((change.clear, abs(change.estimate), row.label, heard_first / n_first, heard_last / n_last, change))
    if not moves:
        return None
    clear, _size, label, before, after, change = max(moves, key=lambda item: item[:3])
    if not clear:
        return Question(f"No clear change between the first four weeks and the last four: the largest move, {label} "
                        f"from {pct(before)} to {pct(after)}, is within its uncertainty ({interval_words(change)}).",
                        "Is what we are doing moving the conversations we hear, and how would we know?", "trends")
    direction = change.direction
    return Question(f"{label} {direction} from {pct(before)} in the first four weeks to {pct(after)} in the last four "
                    f"({interval_words(change)}).",
                    "What changed, and what would keep it going?" if direction == "rose" else "What changed, and what can we do about it?", "trends")
