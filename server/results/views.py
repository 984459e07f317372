"""The Results tab of the dashboard and its CSV: the same figures as the JSON API, as a table."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException

from schemas.results import ResultsArgsSchema
from server.db import db
from server.errors import http_error_response
from server.heatmaps import exports, page_errors
from server.heatmaps import service as heatmaps_service
from server.heatmaps import views as dashboard
from server.results import service

bp = Blueprint("results", __name__)
bp.context_processor(dashboard.helpers)


@bp.errorhandler(HTTPException)
def filters_refused(error: HTTPException):
    """Filters that cannot be used are shown inside the dashboard, as on the other tabs."""
    shown = page_errors.dashboard_problem(error)
    if shown is None:
        return http_error_response(error)
    template, context = shown
    return dashboard.page(template, error.code, **context)


@bp.route("/schools/<int:school_id>/dashboard/results")
@login_required
def results(school_id: int):
    """Did it lead to action: what became of the follow-ups, and the share that changed practice."""
    args = dashboard.load_args(ResultsArgsSchema)
    found = service.results(current_user, school_id, args)
    return dashboard.page("results/results.html", view=found.view, args=args, current="results", found=found,
                          choices=heatmaps_service.filter_choices(found.view, current_user))


@bp.route("/schools/<int:school_id>/dashboard/results.csv")
@login_required
def results_csv(school_id: int):
    """Exactly the figures the page shows, one row per group."""
    args = dashboard.load_args(ResultsArgsSchema)
    found = service.results(current_user, school_id, args)
    text, count = table_csv(found)
    exports.audit_export(current_user, "results", "results", count, school_id=school_id)
    db.session.commit()
    return dashboard.csv_response(text, f"results-school-{school_id}.csv")


HEADER = ["section", "group", "opened", "closed_on_time", "closed_late", "dropped", "open", "overdue",
          "answered", "changed_practice", "share", "interval_low", "interval_high", "too_few"]


def table_csv(found: service.Results) -> tuple[str, int]:
    """The figures as CSV (shares as fractions, 4 places); the groups written are counted for the audit log."""
    fraction = lambda x: "" if x is None else f"{x:.4f}"  # noqa: E731
    sections = [("all", [service.Group("all", "All follow-ups", found.total, found.share)])]
    sections += [(b.name, b.groups) for b in found.breakdowns] + [("month", found.months)]
    lines: list[list] = [HEADER]
    for name, groups in sections:
        for g in groups:
            t, s = g.tally, g.share
            lines.append([name, g.label, t.opened, t.on_time, t.late, t.dropped, t.open, t.overdue, s.n, s.changed,
                          fraction(s.value), fraction(s.low), fraction(s.high), "yes" if s.few else "no"])
    for t in found.heard_again.traits:
        if t.n:
            lines.append(["heard_again", t.label, t.n, t.heard_before, t.heard_after, t.stronger, t.same, t.weaker,
                          "", "", "", "", "", "yes" if t.few else "no"])
    lines += [[], ["heard_again rows: group = trait; then pairs, heard before, heard after, stronger, same, weaker."],
              [f"Shares with n under {found.min_n} are too few to read. Share = done and changed practice / "
                   "done with an answer; 95% Wilson intervals."]]
    return exports.write_csv(lines), len(lines) - 4
