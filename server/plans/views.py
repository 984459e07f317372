"""Plan pages for the school's leaders (plain forms, no JavaScript needed) and the public calendar feed."""
from __future__ import annotations

from flask import Blueprint, abort, make_response, request

from server.plans import feed as plan_feed

bp = Blueprint("plans", __name__, template_folder="templates")


@bp.get("/plans/feed/<token>.ics")
def feed(token: str):
    """The school's calendar, for Google Calendar or Outlook to subscribe to; an unknown or revoked secret is a 404."""
    school = plan_feed.school_for_token(token)
    if school is None:
        abort(404)
    response = make_response(plan_feed.calendar_of(school, request.host.split(":")[0]))
    response.mimetype = "text/calendar"
    response.headers["Content-Disposition"] = 'inline; filename="planned-conversations.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
