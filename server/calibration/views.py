"""The Calibration tab of the dashboard and the district's calibration page: the API's figures as tables."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException

from schemas.calibration import CalibrationArgsSchema, DistrictCalibrationArgsSchema
from server.calibration import service, stats
from server.errors import http_error_response
from server.heatmaps import page_errors
from server.heatmaps import views as dashboard

bp = Blueprint("calibration", __name__)
bp.context_processor(dashboard.helpers)
# The other tabs' filters that calibration has no use for: ignored, so a tab link never fails on them.
OTHER_TABS = ("setting", "conversation_kind", "team", "observer_id", "rows", "columns", "measure", "by")


@bp.context_processor
def figures() -> dict:
    return {"RELIABLE": stats.RELIABLE, "TENTATIVE": stats.TENTATIVE, "percent": service.percent}


@bp.errorhandler(HTTPException)
def filters_refused(error: HTTPException):
    shown = page_errors.dashboard_problem(error)
    if shown is None:
        return http_error_response(error)
    template, context = shown
    return dashboard.page(template, error.code, **context)


@bp.route("/schools/<int:school_id>/dashboard/calibration")
@login_required
def school(school_id: int):
    """Do our observers hear the same thing? Agreement per trait over co-listened conversations."""
    args = dashboard.load_args(CalibrationArgsSchema, extra_ignored=OTHER_TABS)
    report = service.school_report(current_user, school_id, args)
    return dashboard.page("calibration/school.html", view=report.view, args=args, current="calibration", report=report,
                          rubrics=report.view_rubrics())


@bp.route("/district/<int:district_id>/calibration")
@login_required
def district(district_id: int):
    """The district's observers pooled, and each school's agreement per trait (district admins)."""
    args = dashboard.load_args(DistrictCalibrationArgsSchema, extra_ignored=OTHER_TABS)
    report = service.district_report(current_user, district_id, args)
    return dashboard.page("calibration/district.html", view=report.view, args=args, current="calibration",
                          report=report, rubrics=report.view_rubrics())
