"""Plan pages for the school's leaders (plain forms, no JavaScript needed) and the public calendar feed.

Everyone with a role in the school sees the plans; principals and district admins change them.
Each form posts to its own route, calls the same service as the API and redirects back; invalid
input re-renders the form with the problems (422) and stores nothing.
"""
from __future__ import annotations

import re
from datetime import timedelta

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from schemas.plans import PURPOSES, CancelDateSchema, PlanCreateSchema
from server.access import Action, can, get_for, require_school
from server.db import db
from server.plans import feed as plan_feed
from server.plans import ics_import, service
from server.plans.api import feed_url
from server.plans.models import PlannedConversation
from server.plans.service import RefusedPlan
from server.schools import staff
from server.schools.service import locations_of
from server.schools.views import problems_from

bp = Blueprint("plans", __name__, template_folder="templates")

KIND_WORDS = {
    "plc": "PLC", "data_team": "Data team", "grade_department_meeting": "Grade or department meeting",
    "post_observation_conference": "Post-observation conference", "learning_walk_debrief": "Learning-walk debrief",
    "coaching_session": "Coaching session", "planning_session": "Planning session", "hallway_chat": "Hallway",
    "lounge": "Teachers' lounge", "lunch": "Lunch", "before_after_school": "Before or after school",
    "parking_lot": "Parking lot",
}
WEEKDAY_WORDS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEK_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
NEW_FEED = "plans.new_feed"
UPCOMING = 3


def describe(rule: dict) -> str:
    """"Every other Monday and Thursday, 07:30–08:15" in words a principal reads at a glance."""
    days = [WEEKDAY_WORDS[d] for d in rule["weekdays"]]
    named = " and ".join([", ".join(days[:-1]), days[-1]] if len(days) > 1 else days)
    if rule["frequency"] == "monthly":
        when = f"The {WEEK_WORDS[rule['week_of_month']]} {named} of each month"
    elif rule["frequency"] == "biweekly":
        when = f"Every other {named}"
    else:
        when = f"Every {named}"
    return f"{when}, {rule['starts_at']:%H:%M}\u2013{rule['ends_at']:%H:%M}"


def page(template: str, status: int = 200, **context):
    response = make_response(render_template(template, kind_words=KIND_WORDS, weekday_words=WEEKDAY_WORDS,
                                             week_words=WEEK_WORDS, purposes=PURPOSES, describe=describe,
                                             **context), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def plan_in(school_id: int, plan_id: int, action: Action) -> PlannedConversation:
    plan = get_for(PlannedConversation, plan_id, action)
    if plan.school_id != school_id:
        abort(404)
    return plan


def back(school_id: int):
    return redirect(url_for("plans.index", school_id=school_id))


def form_fields(form) -> dict:
    """The posted form as the API's JSON body, for PlanCreateSchema to judge."""
    def number(name):
        raw = form.get(name, "").strip()
        return None if raw == "" else int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else raw

    def days(name):
        return [day for day in re.split(r"[\s,;]+", form.get(name, "")) if day]

    rule = {"frequency": form.get("frequency", ""), "starts_at": form.get("starts_at", ""),
            "ends_at": form.get("ends_at", ""), "first_day": form.get("first_day", ""),
            "last_day": form.get("last_day", ""), "added_dates": days("added_dates"),
            "cancelled_dates": days("cancelled_dates"),
            "weekdays": [int(d) if d.isascii() and d.isdigit() else d for d in form.getlist("weekdays")]}
    if rule["frequency"] == "monthly":
        rule["week_of_month"] = number("week_of_month")
    return {"name": form.get("name", ""), "purpose": form.get("purpose", ""), "kind": form.get("kind", ""),
            "location_id": number("location_id"), "participants": form.get("participants", ""),
            "participant_count": number("participant_count"), "strategy": form.get("strategy", ""),
            "focus_traits": form.getlist("focus_traits"), "owner_id": number("owner_id"), "recurrence": rule}


def plan_form(school, plan=None, status: int = 200, values: dict | None = None, problems: list[str] | None = None):
    if values is None:
        values = service.plan_row(plan) if plan else {"recurrence": {"frequency": "weekly", "weekdays": []},
                                                       "focus_traits": []}
    return page("plans/form.html", status, school=school, plan=plan, values=values, problems=problems or [],
                places=[p for p in locations_of(school, include_archived=False)], members=staff.members_of(school),
                traits=service.default_traits())


def save(school, plan, form):
    """Create or change from the form; the problems re-render it, nothing stored."""
    fields = form_fields(form)
    try:
        loaded = PlanCreateSchema().load(fields)
        if plan is None:
            plan = service.create_plan(current_user, school, loaded)
        else:
            service.update_plan(current_user, plan, loaded)
    except (ValidationError, RefusedPlan) as error:
        db.session.rollback()
        problems = problems_from(error.messages) if isinstance(error, ValidationError) else [str(error)]
        return plan_form(school, plan, 422, {**fields, "recurrence": fields["recurrence"]}, problems)
    db.session.commit()
    flash(f"\u201c{plan.name}\u201d is saved.", "success")
    return back(school.id)


@bp.get("/schools/<int:school_id>/plans")
@login_required
def index(school_id: int):
    """The school's planned conversations, each with when it meets next."""
    school = require_school(Action.VIEW_SCHOOL, school_id)
    today = service.today_in(school)
    plans = [(plan, service.plan_row(plan), service.occurrences_between(plan, today, today + timedelta(days=120))[:UPCOMING])
             for plan in service.plans_of(school)]
    manage = can(Action.MANAGE_SCHOOL, school.id)
    new_feed = session.pop(NEW_FEED, None)
    return page("plans/index.html", school=school, plans=plans, manage=manage,
                feed=plan_feed.feed_of(school) if manage else None,
                new_feed_url=new_feed["url"] if new_feed and new_feed.get("school_id") == school.id else None,
                places={p.id: p.name for p in locations_of(school, include_archived=True)})


@bp.route("/schools/<int:school_id>/plans/new", methods=["GET", "POST"])
@login_required
def new(school_id: int):
    school = require_school(Action.MANAGE_SCHOOL, school_id)
    return save(school, None, request.form) if request.method == "POST" else plan_form(school)


@bp.route("/schools/<int:school_id>/plans/<int:plan_id>", methods=["GET", "POST"])
@login_required
def edit(school_id: int, plan_id: int):
    school = require_school(Action.MANAGE_SCHOOL, school_id)
    plan = plan_in(school_id, plan_id, Action.MANAGE_SCHOOL)
    return save(school, plan, request.form) if request.method == "POST" else plan_form(school, plan)


@bp.post("/schools/<int:school_id>/plans/<int:plan_id>/cancel")
@login_required
def cancel(school_id: int, plan_id: int):
    school = require_school(Action.MANAGE_SCHOOL, school_id)
    plan = plan_in(school_id, plan_id, Action.MANAGE_SCHOOL)
    try:
        day = CancelDateSchema().load({"day": request.form.get("day", "")})["day"]
        service.cancel_day(current_user, plan, day)
    except (ValidationError, RefusedPlan) as error:
        db.session.rollback()
        problems = problems_from(error.messages) if isinstance(error, ValidationError) else [str(error)]
        return plan_form(school, plan, 422, problems=problems)
    db.session.commit()
    flash(f"\u201c{plan.name}\u201d does not meet on {day:%A %-d %B}.", "success")
    return back(school_id)


@bp.post("/schools/<int:school_id>/plans/<int:plan_id>/delete")
@login_required
def delete(school_id: int, plan_id: int):
    require_school(Action.MANAGE_SCHOOL, school_id)
    plan = plan_in(school_id, plan_id, Action.MANAGE_SCHOOL)
    name = plan.name
    service.delete_plan(current_user, plan)
    db.session.commit()
    flash(f"\u201c{name}\u201d is deleted from the plan; what was heard and checked there stays in coverage.", "success")
    return back(school_id)


@bp.post("/schools/<int:school_id>/plans/feed")
@login_required
def renew_feed(school_id: int):
    school = require_school(Action.MANAGE_SCHOOL, school_id)
    token = plan_feed.renew(current_user, school)
    db.session.commit()
    session[NEW_FEED] = {"school_id": school.id, "url": feed_url(token)}
    return back(school_id)


@bp.post("/schools/<int:school_id>/plans/feed/revoke")
@login_required
def revoke_feed(school_id: int):
    school = require_school(Action.MANAGE_SCHOOL, school_id)
    plan_feed.revoke(current_user, school)
    db.session.commit()
    flash("The calendar link is turned off: calendars subscribed to it stop updating.", "success")
    return back(school_id)


@bp.route("/schools/<int:school_id>/plans/import", methods=["GET", "POST"])
@login_required
def import_calendar(school_id: int):
    """Upload an .ics file, see what it would plan, then confirm: the file's text rides along in the form."""
    school = require_school(Action.MANAGE_SCHOOL, school_id)
    if request.method == "GET":
        return page("plans/import.html", school=school, preview=None, problems=[])
    upload = request.files.get("file")
    text = upload.read().decode("utf-8", errors="replace") if upload and upload.filename else request.form.get("calendar", "")
    confirm = request.form.get("confirm") == "yes"
    try:
        plans, skipped, created = ics_import.import_calendar(current_user, school, text, confirm)
    except RefusedPlan as error:
        db.session.rollback()
        return page("plans/import.html", 422, school=school, preview=None, problems=[str(error)])
    if created:
        db.session.commit()
        flash(f"{len(plans)} planned conversation{'s' if len(plans) != 1 else ''} added from the calendar.", "success")
        return back(school_id)
    return page("plans/import.html", school=school, preview={"plans": plans, "skipped": skipped}, calendar=text,
                problems=[], places={p.id: p.name for p in locations_of(school, include_archived=True)})


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
