"""The brief's figures built from the heatmaps' own tables and interval code: changes larger than their
uncertainty, the quiet places and times, the traits rare where they matter, and the staff version's mask.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from server.enums import ConversationKind, Setting
from server.heatmaps.cells import Cell, Heatmap, format_value
from server.heatmaps.change import Change, interval_words, rate_ratio, share_difference
from server.heatmaps.service import ALL

QUIET_SHOWN = 3
RARE_SHOWN = 5


@dataclass
class ChangeLine:
    """One comparison of the period with the one before, said only as a rise or fall when it is clear."""

    subject: str
    kind: str                 # share or rate
    before: float | None
    after: float | None
    n_before: float           # conversations (share) or hours of listening (rate)
    n_after: float
    change: Change
    school: str | None = None

    @property
    def clear(self) -> bool:
        return self.change.clear

    @property
    def words(self) -> str:
        where = f"{self.school}: " if self.school else ""
        value = (lambda v: format_value(v, "heard")) if self.kind == "share" else (lambda v: f"{v:.1f} an hour")
        moved = f"from {value(self.before)} to {value(self.after)}"
        if self.change.estimate is None:
            return f"{where}{self.subject}: nothing to compare with."
        if not self.clear:
            return f"{where}{self.subject}: {moved}, no clear change ({interval_words(self.change)})."
        return f"{where}{self.subject} {self.change.direction} {moved} ({interval_words(self.change)})."


def share_changes(pairs, min_n: int, school: str | None = None) -> list[ChangeLine]:
    """(label, cell now, cell before) of quality tables → the change of each share; a pair with fewer
    than min_n conversations in either period is not compared (too few to read)."""
    lines = []
    for label, after, prior in pairs:
        if after.heard is None or prior.heard is None or after.n < min_n or prior.n < min_n:
            continue
        lines.append(ChangeLine(label, "share", prior.value, after.value, prior.n, after.n,
                                share_difference(after.heard, after.n, prior.heard, prior.n), school))
    return lines


def rate_change(now: tuple[int, float], before: tuple[int, float], min_n: int, school: str | None = None) -> ChangeLine | None:
    """Conversations heard on walks per hour of listening: (walked, hours) now against before."""
    (walked, hours), (walked_before, hours_before) = now, before
    if hours <= 0 or hours_before <= 0 or walked < min_n or walked_before < min_n:
        return None
    return ChangeLine("Conversations per hour of listening", "rate", walked_before / hours_before, walked / hours,
                      round(hours_before, 2), round(hours, 2), rate_ratio(walked, hours, walked_before, hours_before), school)


@dataclass
class Quiet:
    place: str
    period: str
    rate: float
    hours: float


def quiet_places(frequency: Heatmap) -> list[Quiet]:
    """The readable place-and-period cells below the whole school's rate, fewest conversations per hour of
    listening first (a cell too few or too thin to read is never called quiet)."""
    whole = frequency.cell(ALL, ALL).value
    cells = []
    for row in frequency.rows:
        for column in frequency.columns:
            cell = frequency.cell(row.key, column.key)
            if row.total or column.total or cell.value is None or cell.fallback or cell.thin or cell.few:
                continue
            if whole is not None and cell.value < whole:
                cells.append(Quiet(row.label, column.label, cell.value, cell.hours or 0.0))
    return sorted(cells, key=lambda quiet: (quiet.rate, -quiet.hours))[:QUIET_SHOWN]


def little_listening(frequency: Heatmap) -> list[str]:
    """Periods of the day with less listening than the school's minimum: what the brief cannot see."""
    least = frequency.min_hours or 1.0
    columns = [column for column in frequency.columns if not column.total]
    quiet = [column.label for column in columns if (frequency.cell(ALL, column.key).hours or 0) < least]
    return quiet if len(quiet) < len(columns) else []


@dataclass
class Rare:
    trait: str
    where: str
    share: float
    n: int
    low: float
    high: float


FORMAL_KINDS = {kind.value for kind in ConversationKind if kind.setting == Setting.FORMAL}


def rare_where_it_matters(by_kind: Heatmap) -> list[Rare]:
    """In each kind of formal meeting (PLC, data team, coaching…) with enough conversations, its rarest
    trait: the meetings are where the improvement plan expects evidence, questions and action."""
    found = []
    for column in by_kind.columns:
        if column.key not in FORMAL_KINDS:
            continue
        readable = [(by_kind.cell(row.key, column.key), row.label) for row in by_kind.rows]
        readable = [(cell, label) for cell, label in readable if cell.value is not None and not cell.few]
        if readable:
            cell, label = min(readable, key=lambda item: (item[0].value, item[1]))
            low, high = cell.interval
            found.append(Rare(label, column.label, cell.value, cell.n, low, high))
    return sorted(found, key=lambda rare: rare.share)[:RARE_SHOWN]


def for_staff(heatmap: Heatmap) -> Heatmap:
    """The staff version of a table: a cell under the minimum n shows neither its number nor its n."""
    masked = replace(heatmap, cells={})
    for cell_key, cell in heatmap.cells.items():
        masked.cells[cell_key] = Cell(few=True, hours=cell.hours) if cell.few else cell
    return masked


def transpose(heatmap: Heatmap, row_title: str, keep_rows=None) -> Heatmap:
    """Columns as rows (many teams read down a page, not across it); `keep_rows` picks the new rows."""
    flipped = replace(heatmap, row_title=row_title, rows=[c for c in heatmap.columns if keep_rows is None or keep_rows(c)],
                      columns=list(heatmap.rows), cells={(c, r): cell for (r, c), cell in heatmap.cells.items()},
                      column_n={})
    return flipped
