"""Coordinates for the Trends page's charts: one line per trait and the conversations per week, on one
dated axis (each week's Monday, a local date of the school's zone), every point and bar labelled.

The charts are drawn at their real pixel size, never scaled down, so their text stays readable: a
long range scrolls sideways in its box instead (the data table below holds the same numbers).
"""
from __future__ import annotations

from datetime import date, timedelta

from server.heatmaps.cells import Heatmap

LEFT, RIGHT = 52, 14          # the y-axis labels; room for the last point's label
TOP, PLOT = 18, 96            # room for a value label above 100 %; the plot's height
AXIS = 46                     # day numbers, month names and the weekly n under the plot
MIN_STEP, MIN_WIDTH = 30, 560
BAR_PLOT = 64


def weeks_between(first: date, last: date) -> list[date]:
    """Every Monday from the first week to the last: a week nobody logged in keeps its place on the axis."""
    return [first + timedelta(weeks=index) for index in range((last - first).days // 7 + 1)]


def axis(weeks: list[date], n_by_week: dict) -> dict:
    """The shared x axis: a position, a day number, a month name where the month changes, and n per week."""
    step = max(MIN_STEP, (MIN_WIDTH - LEFT - RIGHT) / max(1, len(weeks) - 1))
    ticks, month = [], None
    for index, week in enumerate(weeks):
        ticks.append({"x": round(LEFT + index * step, 1), "day": str(week.day), "week": week,
                      "month": week.strftime("%b") if (week.month, week.year) != month else "",
                      "n": n_by_week.get(week, 0), "label": long_date(week)})
        month = (week.month, week.year)
    return {"ticks": ticks, "width": round(LEFT + step * max(0, len(weeks) - 1) + RIGHT)}


def long_date(week: date) -> str:
    return f"{week:%a} {week.day} {week:%b %Y}"


def trend_charts(heatmap: Heatmap) -> dict:
    """One line chart per trait and the weekly bars, sharing the dated axis; empty without any week."""
    if not heatmap.columns:
        return {}
    weeks = weeks_between(heatmap.columns[0].key, heatmap.columns[-1].key)
    shared = axis(weeks, heatmap.column_n)
    x_of = {tick["week"]: tick["x"] for tick in shared["ticks"]}
    base = TOP + PLOT
    traits = {}
    for row in heatmap.rows:
        points, segments, segment = [], [], []
        for week in weeks:
            cell = heatmap.cell(row.key, week)
            if cell.value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            point = {"x": x_of[week], "y": round(TOP + (1 - cell.value) * PLOT, 1), "few": cell.few, "n": cell.n,
                     "value": f"{cell.value:.0%}", "label": long_date(week), "text": f"{cell.value:.0%} of {cell.n}"}
            points.append(point)
            segment.append(f"{point['x']},{point['y']}")
        if segment:
            segments.append(segment)
        readable = [p for p in points if not p["few"]]
        traits[row.key] = {"points": points, "lines": [" ".join(s) for s in segments if len(s) > 1],
                           "latest": readable[-1] if readable else None,
                           "n": [{"x": t["x"], "n": heatmap.cell(row.key, t["week"]).n} for t in shared["ticks"]]}
    most = max(heatmap.column_n.values(), default=0) or 1
    bars = [{"x": tick["x"], "n": tick["n"], "label": tick["label"],
             "height": round(BAR_PLOT * tick["n"] / most, 1)} for tick in shared["ticks"]]
    return {"traits": traits, "bars": bars, "ticks": shared["ticks"], "width": shared["width"], "most": most,
            "left": LEFT, "top": TOP, "plot": PLOT, "base": base, "height": base + AXIS,
            "bar_top": 16, "bar_base": 16 + BAR_PLOT, "bar_height": 16 + BAR_PLOT + 30,
            "first": long_date(weeks[0]), "last": long_date(weeks[-1]),
            "grid": [(share, f"{share:.0%}", round(TOP + (1 - share) * PLOT, 1)) for share in (1, 0.5, 0)]}
