"""A heatmap as a table of honest cells: every number carries its n, its interval and its colour step.

Shares carry a Wilson interval; rates an exact Poisson one and a "too thin to read" flag (rates.py).
The colour scale of rates and counts is drawn from the readable cells only and stops at the upper
Tukey fence, so one outlier cannot wash every other cell out: cells above it take the darkest step.

The same object is rendered as the HTML table, dumped as JSON and written as CSV, so all three
show exactly the same numbers.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from server.heatmaps.rates import is_thin, rate_interval

Z95 = 1.959964
STEPS = 7  # colour steps of the sequential scale


def wilson(successes: int, n: int) -> tuple[float, float] | None:
    """95 % Wilson score interval for a share: honest at small n and near 0 % or 100 %."""
    if n <= 0:
        return None
    p = successes / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class Cell:
    """One number of a heatmap. `value` is None for an empty cell (nothing heard, nobody listened)."""

    n: int = 0
    value: float | None = None
    few: bool = False            # under the school's minimum n: too few to read
    step: int | None = None      # colour step 0..STEPS-1; None: not coloured (empty, or a raw count fallback)
    heard: int | None = None
    strong: int | None = None
    strong_share: float | None = None
    mean_level: float | None = None
    interval: tuple[float, float] | None = None
    conversations: int | None = None
    walked: int | None = None
    hours: float | None = None
    fallback: bool = False       # a rate was wanted but no walk covered this time: the raw count is shown
    thin: bool = False           # a rate with too little listening (or too wide an interval) to read: not coloured

    @property
    def empty(self) -> bool:
        return self.value is None


@dataclass
class Axis:
    key: object
    label: str
    total: bool = False


@dataclass
class Heatmap:
    view: str                   # frequency, quality, trends, district_quality, district_frequency
    caption: str
    row_title: str
    measure: str                # heard, strong, mean (shares), rate, count
    min_n: int
    rows: list[Axis] = field(default_factory=list)
    columns: list[Axis] = field(default_factory=list)
    cells: dict[tuple, Cell] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source: str = "rollup"      # rollup or raw: where the numbers were read from
    scale_max: float = 1.0      # the top of the colour scale (1 for shares; for rates and counts see colour())
    capped: bool = False        # some readable cells lie above scale_max: the darkest step means "at least"
    min_hours: float | None = None  # rates: listening time under this is too thin to read
    rate_filter: str | None = None  # rates: the conversations counted under a setting, kind or team filter
    column_n: dict = field(default_factory=dict)  # conversations per column, where the rows do not say it

    def cell(self, row_key, column_key) -> Cell:
        return self.cells.get((row_key, column_key)) or Cell()

    def legend(self) -> list[tuple[int, str]]:
        """(step, range label) for each colour step of this table's scale."""
        labels = []
        for step in range(STEPS):
            low, high = self.scale_max * step / STEPS, self.scale_max * (step + 1) / STEPS
            if self.capped and step == STEPS - 1:
                labels.append((step, f"≥ {format_value(low, self.measure)}"))
            else:
                labels.append((step, f"{format_value(low, self.measure)}–{format_value(high, self.measure)}"))
        return labels


def share_cell(n: int, heard: int, strong: int, min_n: int, measure: str = "heard") -> Cell:
    if n <= 0:
        return Cell()
    share, strong_share, mean = heard / n, strong / n, (heard + strong) / n
    value = {"heard": share, "strong": strong_share, "mean": mean}[measure]
    interval = wilson(strong if measure == "strong" else heard, n) if measure != "mean" else None
    top = 2.0 if measure == "mean" else 1.0
    return Cell(n=n, value=value, few=n < min_n, step=min(STEPS - 1, int(value / top * STEPS)), heard=heard,
                strong=strong, strong_share=strong_share, mean_level=mean, interval=interval)


def rate_cell(conversations: int, walked: int, seconds: float, min_n: int, measure: str = "rate",
              min_hours: float = 0.0) -> Cell:
    """Conversations per hour walked, with its interval and thinness; a raw count where nobody walked;
    empty where nothing at all."""
    hours = seconds / 3600.0
    if measure == "count":
        if conversations == 0 and hours == 0:
            return Cell()
        return Cell(n=conversations, value=float(conversations), few=conversations < min_n,
                    conversations=conversations, walked=walked, hours=hours)
    if hours > 0:
        return Cell(n=walked, value=walked / hours, few=walked < min_n, conversations=conversations,
                    walked=walked, hours=hours, interval=rate_interval(walked, hours),
                    thin=is_thin(walked, hours, min_hours))
    if conversations > 0:
        return Cell(n=conversations, value=float(conversations), few=conversations < min_n,
                    conversations=conversations, walked=walked, hours=0.0, fallback=True)
    return Cell()


def colour(heatmap: Heatmap) -> None:
    """Give each cell its colour step: shares on a fixed 0–100 % scale, rates and counts on scale_top().

    A thin rate is not coloured at all: it sets no scale and borrows none."""
    if heatmap.measure in ("rate", "count"):
        shown = [c for c in heatmap.cells.values() if c.value is not None and not c.fallback and not c.thin]
        readable = [c.value for c in shown if not c.few]
        top = scale_top(readable or [c.value for c in shown])  # a 2-conversation spike sets no scale
        heatmap.scale_max = top or 1.0
        heatmap.capped = any(c.value > heatmap.scale_max for c in shown)
        for cell in shown:
            cell.step = min(STEPS - 1, int(cell.value / heatmap.scale_max * STEPS))
    else:
        heatmap.scale_max = 2.0 if heatmap.measure == "mean" else 1.0


def scale_top(values: list[float]) -> float:
    """The largest value, or the upper Tukey fence (Q3 + 1.5 IQR) when some values lie far above the rest."""
    if not values:
        return 0.0
    largest = max(values)
    if len(values) < 4:
        return largest
    q1, _median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    fence = q3 + 1.5 * (q3 - q1)
    return fence if 0 < fence < largest else largest


def format_value(value: float | None, measure: str) -> str:
    if value is None:
        return ""
    if measure in ("heard", "strong"):
        return f"{value * 100:.0f}%"
    if measure == "mean":
        return f"{value:.2f}"
    if measure == "count":
        return f"{value:.0f}"
    return f"{value:.1f}"


def key_text(key) -> str:
    return key.isoformat() if hasattr(key, "isoformat") else str(key)


def as_json(heatmap: Heatmap) -> dict:
    """The table as the API answers it: rows in order, each with its cells in column order."""
    def cell_json(column: Axis, cell: Cell) -> dict:
        low, high = cell.interval or (None, None)
        return {"column": key_text(column.key), "n": cell.n, "value": cell.value, "empty": cell.empty,
                "few": cell.few, "step": cell.step, "heard": cell.heard, "strong": cell.strong,
                "strong_share": cell.strong_share, "mean_level": cell.mean_level, "interval_low": low,
                "interval_high": high, "conversations": cell.conversations, "walked": cell.walked,
                "hours": cell.hours, "fallback": cell.fallback, "thin": cell.thin}

    return {
        "view": heatmap.view, "caption": heatmap.caption, "row_title": heatmap.row_title, "measure": heatmap.measure,
        "min_n": heatmap.min_n, "source": heatmap.source, "notes": heatmap.notes, "min_hours": heatmap.min_hours,
        "rate_filter": heatmap.rate_filter, "scale_max": heatmap.scale_max, "scale_capped": heatmap.capped,
        "legend": [{"step": step, "label": label} for step, label in heatmap.legend()],
        "columns": [{"key": key_text(c.key), "label": c.label, "total": c.total, "n": heatmap.column_n.get(c.key)}
                    for c in heatmap.columns],
        "rows": [{"key": key_text(r.key), "label": r.label, "total": r.total, "n": None,
                  "cells": [cell_json(c, heatmap.cell(r.key, c.key)) for c in heatmap.columns]} for r in heatmap.rows],
    }
