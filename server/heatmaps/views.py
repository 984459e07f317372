"""The dashboard pages: server-rendered heatmaps that work without JavaScript, their CSV, and the district view.

Filters live in the query string (the form submits with GET), so any view can be bookmarked and
shared. The pages read the same services as the JSON API.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, make_response, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, UnprocessableEntity

from schemas.heatmaps import (CONVERSATION_KINDS, SETTINGS, DistrictFrequencyArgsSchema, DistrictQualityArgsSchema,
                              FrequencyArgsSchema, QualityArgsSchema, TrendsArgsSchema)
from server.coverage import questions as coverage_questions
from server.db import db
from server.errors import http_error_response
from server.heatmaps import charts, exports, page_errors, questions, rates, service
from server.heatmaps.cells import STEPS, Axis, Cell, Heatmap, format_value, key_text
from server.heatmaps.service import BY_LABELS, SETTING_LABELS, TALK_LABELS

bp = Blueprint("heatmaps", __name__)

SCHOOL_VIEWS = {"frequency": FrequencyArgsSchema, "quality": QualityArgsSchema, "trends": TrendsArgsSchema}
DISTRICT_VIEWS = {"quality": DistrictQualityArgsSchema, "frequency": DistrictFrequencyArgsSchema}


def load_args(schema_class, extra_ignored: tuple[str, ...] = ()) -> dict:
    """The query string through the view's schema; empty form fields mean "no filter"."""
    raw = {}
    for key in request.args:
        values = [v for v in request.args.getlist(key) if v.strip()]
        if key in extra_ignored or not values:
            continue
        raw[key] = values if key == "school_id" else values[-1]
    try:
        return schema_class().load(raw)
    except ValidationError as error:
        problems = "; ".join(f"{field}: {' '.join(map(str, messages if isinstance(messages, list) else [messages]))}"
                             for field, messages in error.messages.items())
        refused = UnprocessableEntity(description=f"Some filters are not valid: {problems}")  # 422, as the API
        refused.data = {"messages": error.messages}  # each field's own words for the page (page_errors)
        raise refused from error


def query_for(args: dict, **changes) -> dict:
    """The filter state as URL parameters, with some changed (None drops one)."""
    merged = {**args, **changes}
    out = {}
    for key, value in merged.items():
        if value is None or value == "" or value == []:
            continue
        if key == "school_ids":
            out["school_id"] = value
        else:
            out[key] = value.isoformat() if isinstance(value, date) else value
    return out


def page(template: str, status: int = 200, **context) -> Response:
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.errorhandler(HTTPException)
def filters_refused(error: HTTPException):
    """Filters that cannot be used: shown inside the dashboard, with the form to fix them (page_errors)."""
    shown = page_errors.dashboard_problem(error)
    if shown is None:
        return http_error_response(error)
    template, context = shown
    return page(template, error.code, **context)


def csv_response(text: str, filename: str) -> Response:
    response = make_response(text)
    response.mimetype = "text/csv"
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def build(view_name: str, view: service.SchoolView, args: dict) -> Heatmap:
    if view_name == "frequency":
        return service.frequency(view, args["rows"], args["columns"], args["measure"])
    if view_name == "quality":
        return service.quality(view, args["by"], args["measure"])
    return service.trends(view)


@bp.route("/schools/<int:school_id>/dashboard")
@login_required
def dashboard(school_id: int):
    """The overview: questions worth discussing, drawn from the school's numbers, and the quality by setting."""
    args = load_args(TrendsArgsSchema)
    view = service.open_school(current_user, school_id, args)
    by_setting = service.quality(view, "setting")
    frequency = service.frequency(view)
    trends = service.trends(view)
    return page("heatmaps/dashboard.html", view=view, args=args, current="dashboard", heatmap=by_setting,
                frequency=frequency, questions=questions.ask(by_setting, frequency, trends) + coverage_questions.for_dashboard(
                    view.school, args.get("date_from"), args.get("date_to")),
                choices=service.filter_choices(view, current_user), totals=overall(frequency))


@login_required
def school_view(school_id: int, view_name: str):
    """One heatmap with its filters, legend and notes."""
    args = load_args(SCHOOL_VIEWS[view_name])
    view = service.open_school(current_user, school_id, args)
    heatmap = build(view_name, view, args)
    return page(f"heatmaps/{view_name}.html", view=view, args=args, current=view_name, heatmap=heatmap,
                choices=service.filter_choices(view, current_user),
                charts=charts.trend_charts(heatmap) if view_name == "trends" else None,
                calibration=calibration_lines(view) if view_name == "quality" else None)


def calibration_lines(view: service.SchoolView) -> list[str]:
    """How well observers agree on each trait behind the quality heatmap (server/calibration), one line each."""
    from server.calibration.service import heatmap_lines

    return heatmap_lines(view.school.id, view.rubric.id, view.filters.date_from, view.filters.date_to, view.traits,
                         view.min_n)


@login_required
def school_csv(school_id: int, view_name: str):
    """Exactly the table the page shows, as CSV."""
    args = load_args(SCHOOL_VIEWS[view_name])
    view = service.open_school(current_user, school_id, args)
    heatmap = build(view_name, view, args)
    exports.audit_export(current_user, "heatmap", view_name, len(heatmap.rows), school_id=school_id)
    db.session.commit()
    return csv_response(exports.table_csv(heatmap), f"{view_name}-school-{school_id}.csv")


@bp.route("/schools/<int:school_id>/dashboard/observations.csv")
@login_required
def observations_csv(school_id: int):
    """The observations behind the filters, for principals and district admins; notes only where allowed."""
    args = load_args(TrendsArgsSchema)
    view = service.open_school(current_user, school_id, args)
    text, count, with_notes = exports.observations_csv(current_user, view)
    exports.audit_export(current_user, "observations", "observations", count, school_id=school_id, notes=with_notes)
    db.session.commit()
    return csv_response(text, f"observations-school-{school_id}.csv")


@bp.route("/district/<int:district_id>")
@login_required
def district(district_id: int):
    """The district's schools side by side: traits and conversations per hour of listening."""
    args = load_args(DistrictQualityArgsSchema, extra_ignored=("measure",))
    view = service.open_district(current_user, district_id, args)
    return page("heatmaps/district.html", view=view, args=args, current="district",
                heatmap=service.district_quality(view), frequency=service.district_frequency(view),
                rubrics=view.rubrics(), all_schools=view.all_schools)


@login_required
def district_csv(district_id: int, view_name: str):
    """One of the district's tables as CSV, exactly as shown."""
    args = load_args(DISTRICT_VIEWS[view_name])
    view = service.open_district(current_user, district_id, args)
    build_view = service.district_quality if view_name == "quality" else service.district_frequency
    heatmap = build_view(view, args["measure"])
    exports.audit_export(current_user, "heatmap", f"district_{view_name}", len(heatmap.rows), district_id=district_id)
    db.session.commit()
    return csv_response(exports.table_csv(heatmap), f"{view_name}-district-{district_id}.csv")


for _name in SCHOOL_VIEWS:  # one endpoint per view, so each is its own route in the isolation matrix
    bp.add_url_rule(f"/schools/<int:school_id>/dashboard/{_name}", _name, school_view, defaults={"view_name": _name})
    bp.add_url_rule(f"/schools/<int:school_id>/dashboard/{_name}.csv", f"{_name}_csv", school_csv,
                    defaults={"view_name": _name})
for _name in DISTRICT_VIEWS:
    bp.add_url_rule(f"/district/<int:district_id>/{_name}.csv", f"district_{_name}_csv", district_csv,
                    defaults={"view_name": _name})


# ---------------------------------------------------------------- presentation helpers for the templates

def overall(frequency: Heatmap) -> dict:
    """The overview's key figures; under a setting, kind or team filter, what its rate counts."""
    whole = frequency.cell(service.ALL, service.ALL)
    subject = frequency.rate_filter
    return {"conversations": whole.conversations or 0, "hours": whole.hours or 0.0,
            "rate": whole.value if whole.hours else None, "interval": whole.interval if whole.hours else None,
            "thin": whole.thin, "subject": subject, "meaning": rates.rate_meaning(subject) if subject else None}


def listening_text(hours: float) -> str:
    """Listening time as a leader says it: minutes under an hour, hours with one decimal above."""
    if hours >= 1:
        return f"{hours:.1f} hours"
    if hours * 60 < 1:
        return "under a minute"
    minutes = round(hours * 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def hours_text(hours: float) -> str:
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


def thin_reason(heatmap: Heatmap, cell: Cell) -> str:
    if (cell.hours or 0) < (heatmap.min_hours or 0):
        return (f"too little listening to read ({listening_text(cell.hours or 0)}, under the school's "
                f"{hours_text(heatmap.min_hours)})")
    return "too little listening to read (the 95% interval is more than twice the rate wide)"


def cell_classes(cell: Cell) -> str:
    if cell.empty:
        return "hm-empty"
    classes = [f"hm-step-{cell.step}" if cell.step is not None else "hm-plain"]
    if cell.thin:
        classes.append("hm-thin")
    elif cell.few:
        classes.append("hm-few")
    if cell.fallback:
        classes.append("hm-fallback")
    return " ".join(classes)


def cell_title(heatmap: Heatmap, row_label: str, column_label: str, cell: Cell) -> str:
    where = f"{row_label} · {column_label}"
    if cell.empty:
        return f"{where}: no data (nothing heard, no walk time)"
    if cell.heard is not None:
        low, high = cell.interval or (0, 0)
        text = (f"{where}: heard in {cell.heard} of {cell.n} conversations ({cell.heard / cell.n:.0%}, 95% interval "
                f"{low:.0%}–{high:.0%}); strong in {cell.strong} ({cell.strong_share:.0%}); mean level {cell.mean_level:.2f}")
    elif cell.fallback:
        text = f"{where}: {cell.conversations} conversations, no walk time here, so a raw count, not a rate"
    elif heatmap.measure == "count":
        text = f"{where}: {cell.conversations} conversations heard; {cell.hours:.1f} hours of listening"
    else:
        low, high = cell.interval or (0, 0)
        text = (f"{where}: {cell.value:.1f} conversations per hour (95% interval {low:.1f}–{high:.1f}; {cell.walked} "
                f"heard on walks in {listening_text(cell.hours)} of listening; {cell.conversations} in all)")
        if cell.thin:
            return f"{text}. {thin_reason(heatmap, cell).capitalize()}."
    return text + (f". Too few to read (n under {heatmap.min_n})." if cell.few else ".")


def shown_rows(heatmap: Heatmap) -> list[tuple[Axis, list[tuple[str, str, str | None, int, str | None]]]]:
    """Each row with what each of its cells shows: (classes, title, the value as text or None when empty, n,
    flag or None), worked out in one pass rather than by four template calls a cell. A district's two tables
    of 50 schools hold ~660 cells: its page took 49.6 ms, now 43.2 (docs/performance.md)."""
    rows = []
    for row in heatmap.rows:
        shown = []
        for column in heatmap.columns:
            cell = heatmap.cell(row.key, column.key)
            classes = cell_classes(cell) + (" is-total" if column.total else "")
            title = cell_title(heatmap, row.label, column.label, cell)
            if cell.empty:
                shown.append((classes, title, None, 0, None))
                continue
            text = format_value(cell.value, "count" if cell.fallback else heatmap.measure)
            flag = ("too little listening to read" if cell.thin else "too few" if cell.few
                    else "count" if cell.fallback else None)
            shown.append((classes, title, text, cell.n, flag))
        rows.append((row, shown))
    return rows


def breakable(label: str) -> Markup:
    """A column label that may wrap after a slash ("Grade/department meeting"), so a table fits a laptop."""
    return escape(label).replace("/", Markup("/<wbr>"))


def has_data(heatmap: Heatmap) -> bool:
    """Whether anything at all was logged under these filters (else a legend and a table of dashes say nothing)."""
    return any(max(cell.n, cell.conversations or 0) for cell in heatmap.cells.values())


def nothing_logged(heatmap: Heatmap, args: dict) -> str:
    """What to say when the filters hold no conversation: the range in words, and what else was chosen."""
    start, end = args.get("date_from"), args.get("date_to")
    narrowed = any(args.get(name) for name in ("setting", "conversation_kind", "team", "observer_id", "planned", "school_ids"))
    if start and end:
        text = f"No conversations logged between {charts.long_date(start)} and {charts.long_date(end)}"
    elif start or end:
        text = f"No conversations logged {'since' if start else 'up to'} {charts.long_date(start or end)}"
    else:
        text = "No conversations match these filters" if narrowed else "No conversations logged yet"
    text += " with these filters." if narrowed and (start or end) else "."
    hours = heatmap.cell(service.ALL, service.ALL).hours or 0
    if hours:
        text += f" Leaders listened for {hours:.1f} hours in that time and heard none."
    return text + (" Widen the dates or clear some filters to see more." if start or end or narrowed else "")


def form_value(value) -> str:
    """A filter as a form field shows it: a date in ISO form, what the user typed otherwise."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


@bp.context_processor
def helpers() -> dict:
    return {"cell_classes": cell_classes, "cell_title": cell_title, "format_value": format_value, "query_for": query_for,
            "shown_rows": shown_rows,
            "breakable": breakable, "has_data": has_data, "nothing_logged": nothing_logged, "form_value": form_value,
            "problems": None, "invalid": (),
            "rate_meaning": rates.rate_meaning,
            "key_text": key_text, "STEPS": STEPS, "SETTINGS": SETTINGS, "CONVERSATION_KINDS": CONVERSATION_KINDS,
            "SETTING_LABELS": SETTING_LABELS, "TALK_LABELS": TALK_LABELS, "BY_LABELS": BY_LABELS}
