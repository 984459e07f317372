"""The Coverage tab of the school dashboard and its CSV: the same summary as the JSON API.

The range lives in the query string (?start=&end=, local days), so a view can be bookmarked. A range
that cannot be answered re-renders the page with what to fix (422), as the other tabs do.
"""
from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user, login_required
from marshmallow import ValidationError

from schemas.coverage import CoverageArgsSchema
from server.access import Action, require_school
from server.coverage import exports, marks, service
from server.db import db
from server.heatmaps import exports as heatmap_exports
from server.heatmaps import views as dashboard
from server.heatmaps.service import open_district

bp = Blueprint("coverage", __name__, template_folder="templates")
FIELD_WORDS = {"start": "The first day", "end": "The last day", "_schema": "The address"}


def range_args() -> tuple[dict, list[str]]:
    """The range from the query string (empty fields mean the default), and the problems with it in words."""
    raw = {key: request.args.get(key, "").strip() for key in request.args}
    try:
        return CoverageArgsSchema().load({key: value for key, value in raw.items() if value}), []
    except ValidationError as error:
        return {}, [f"{FIELD_WORDS.get(name, name)} {'' if name == '_schema' else '“' + raw.get(name, '') + '” '}"
                    f"{' '.join(map(str, messages))}".replace("  ", " ")
                    for name, messages in error.messages.items()]


@bp.route("/schools/<int:school_id>/dashboard/coverage")
@login_required
def coverage(school_id: int):
    """Do the planned conversations happen? Each occurrence of the term, and each plan's figures."""
    school = require_school(Action.VIEW_AGGREGATES, school_id)
    args, problems = range_args()
    summary = None if problems else service.school_coverage(school, args.get("start"), args.get("end"))
    return dashboard.page("coverage/coverage.html", 422 if problems else 200, school=school, summary=summary,
                          problems=problems, raw=request.args, current="coverage", grid_cells=marks.grid_cells)


@bp.route("/district/<int:district_id>/coverage")
@login_required
def district(district_id: int):
    """Each school's coverage over its own term, for district admins (the district view links here: reading
    fifty schools' plans costs more than the district's heatmaps, so it is a page of its own)."""
    view = open_district(current_user, district_id, {})
    return dashboard.page("coverage/district.html", view=view, summaries=service.district_coverage(view.schools))


@bp.route("/schools/<int:school_id>/dashboard/coverage.csv")
@login_required
def coverage_csv(school_id: int):
    """The figures and every occurrence, as the page shows them."""
    school = require_school(Action.VIEW_AGGREGATES, school_id)
    args, problems = range_args()
    if problems:
        abort(422, description=" ".join(problems))
    summary = service.school_coverage(school, args.get("start"), args.get("end"))
    text, count = exports.coverage_csv(summary)
    heatmap_exports.audit_export(current_user, "coverage", "coverage", count, school_id=school_id)
    db.session.commit()
    return dashboard.csv_response(text, f"coverage-school-{school_id}.csv")
