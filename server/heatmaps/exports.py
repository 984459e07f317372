"""CSV exports: the table exactly as shown, and the observations behind it for those who may export them.

Spreadsheet formula injection is defused: a cell starting with = + - @ (or a tab or carriage
return) gets a leading single quote. Every export is audited (who, which school, what), never its content.
"""
from __future__ import annotations

import csv
import io

from flask import abort
from sqlalchemy import select

from server.access import Action, Reach, can, reach
from server.audit.service import record
from server.db import db
from server.heatmaps.cells import Heatmap, format_value
from server.heatmaps.queries import L, O, observation_conditions
from server.heatmaps.service import KIND_LABELS, SchoolView
from server.schools.models import Location

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe(value) for value in row])
    return buffer.getvalue()


def cell_text(heatmap: Heatmap, cell) -> str:
    if cell.empty:
        return ""
    text = format_value(cell.value, heatmap.measure if not cell.fallback else "count")
    if cell.fallback:
        text += " (count, no walk time)"
    if cell.thin:
        text += " (too little listening to read)"
    elif cell.few:
        text += " (too few to read)"
    return text


def table_csv(heatmap: Heatmap) -> str:
    """One line per row of the table: its label, then each column's number and its n (and, for rates,
    the 95 % interval and the listening hours behind it)."""
    rates = heatmap.measure == "rate"
    header = [heatmap.row_title]
    for column in heatmap.columns:
        header += [column.label, f"{column.label} (n)"]
        if rates:
            header += [f"{column.label} (95% low)", f"{column.label} (95% high)", f"{column.label} (hours)"]
    lines = [[heatmap.caption], header]
    for row in heatmap.rows:
        line = [row.label]
        for column in heatmap.columns:
            cell = heatmap.cell(row.key, column.key)
            line += [cell_text(heatmap, cell), "" if cell.empty else cell.n]
            if rates:
                low, high = cell.interval or ("", "")
                line += [number(low), number(high), "" if cell.empty else number(cell.hours)]
        lines.append(line)
    lines += [[note] for note in heatmap.notes]
    lines.append([f"Cells with n under {heatmap.min_n} are too few to read."])
    if rates:
        lines.append([f"Rates with under {heatmap.min_hours:g} hours of listening, or a 95% interval more than twice "
                      "the rate wide, are too little listening to read."])
    return write_csv(lines)


def number(value) -> str:
    return f"{value:.4f}" if isinstance(value, float) else ("" if value is None else str(value))


def audit_export(user, what: str, view: str, rows: int, school_id: int | None = None,
                 district_id: int | None = None, notes: bool = False) -> None:
    record("export.csv", actor_id=user.id, school_id=school_id, district_id=district_id, object_type=what,
           object_id=view, details={"view": view, "rows": rows, "notes": notes})


def observations_csv(user, view: SchoolView) -> tuple[str, int, bool]:
    """The live observations behind the dashboard's filters (the chosen rubric's levels), for exporters only.

    Notes are included only for roles that may read every record of the school.
    """
    school_id = view.school.id
    if not can(Action.EXPORT, school_id, user):
        abort(403, description="Only principals and district admins can export observations.")
    with_notes = reach(Action.VIEW_RECORDS, school_id, user) == Reach.ALL
    places = {loc.id: loc for loc in db.session.scalars(select(Location).where(Location.school_id == school_id))}
    rows = db.session.execute(
        select(O.id, O.observed_at, O.local_date, O.location_id, O.setting, O.conversation_kind, O.team,
               O.participant_count, O.participant_roles, O.needs_follow_up, O.note)
        .where(*observation_conditions(view.filters), O.rubric_id == view.rubric.id)
        .order_by(O.observed_at, O.id)).all()
    levels: dict = {}
    traits = {trait.id: trait.key for trait in view.traits}
    ids = [row.id for row in rows]
    for start in range(0, len(ids), 500):
        for observation_id, trait_id, level in db.session.execute(
                select(L.observation_id, L.trait_id, L.level).where(L.observation_id.in_(ids[start:start + 500]))):
            levels.setdefault(observation_id, {})[trait_id] = level
    header = ["id", "local_date", "local_time", "place", "kind_of_place", "setting", "conversation_kind", "team",
              "participant_count", "participant_roles", *traits.values(), "needs_follow_up"]
    if with_notes:
        header.append("note")
    lines = [header]
    for row in rows:
        local = row.observed_at.astimezone(view.schedule.zone)
        place = places.get(row.location_id)
        line = [row.id, row.local_date.isoformat(), local.strftime("%H:%M"), place.name if place else "",
                KIND_LABELS.get(place.kind.value, "") if place else "", enum_text(row.setting),
                enum_text(row.conversation_kind), row.team or "", row.participant_count or "",
                " ".join(row.participant_roles or []),
                *(levels.get(row.id, {}).get(trait_id, "") for trait_id in traits), "yes" if row.needs_follow_up else "no"]
        if with_notes:
            line.append(row.note or "")
        lines.append(line)
    return write_csv(lines), len(rows), with_notes


def enum_text(value) -> str:
    return getattr(value, "value", value) or ""

