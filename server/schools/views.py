"""School overview pages for principals and district admins: plain forms, no JavaScript needed.

Each form posts to its own route, calls the same service as the API, flashes and redirects back
(post/redirect/get). Invalid input re-renders the page with the problems and changes nothing.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from schemas.auth import InvitationCreateSchema
from schemas.schools import (
    MAX_PERIODS,
    LocationPatchSchema,
    LocationSchema,
    MembershipPatchSchema,
    PeriodSchema,
    SchoolCreateSchema,
    SchoolPatchSchema,
    known_timezones,
)
from server.access import Action, admin_district_ids, can, forget_roles, get_for, require_district_admin, require_school
from server.auth.models import Invitation, Membership
from server.db import db
from server.schools import service, staff
from server.schools.api import invitation_days, invitation_link
from server.schools.models import District, Location, Period
from server.schools.service import RefusedChange

bp = Blueprint("schools", __name__)

ROLE_LABELS = {"district_admin": "District admin", "principal": "Principal", "observer": "Observer", "viewer": "Viewer"}
KIND_LABELS = {
    "hallway": "Hallway", "lounge": "Staff lounge", "meeting_room": "Meeting room", "office": "Office",
    "library": "Library", "cafeteria": "Cafeteria", "classroom": "Classroom", "outdoors": "Outdoors",
}
US_TIMEZONES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
    "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico",
)
FIELD_LABELS = {
    "name": "Name", "timezone": "Time zone", "min_cell_n": "Smallest heatmap cell",
    "min_listening_hours": "Least listening behind a rate (hours)",
    "walk_idle_minutes": "Walk ends after (minutes)", "note_retention_days": "Erase notes after (days)", "starts_at": "Start",
    "ends_at": "End", "kind": "Kind", "email": "Email", "role": "Role", "_schema": "",
}
SPARE_PERIOD_ROWS = 3
NEW_INVITATION = "schools.new_invitation"


def page(template: str, status: int = 200, **context):
    """Staff names and emails: never cached, no referrer sent on."""
    response = make_response(render_template(
        template, role_labels=ROLE_LABELS, kind_labels=KIND_LABELS, us_timezones=US_TIMEZONES,
        all_timezones=sorted(known_timezones()), **context), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.app_context_processor
def schedule_helpers() -> dict:
    return {"schedule_prompt": schedule_prompt}


def schedule_prompt(school) -> dict | None:
    """What a school page says about the bell schedule: "empty" (no periods: nothing by period can
    show) to anyone, "default" (the unchecked default) to those who can change it; else None."""
    manage = can(Action.MANAGE_SCHOOL, school.id)
    link = url_for("schools.overview", school_id=school.id, _anchor="schedule") if manage else None
    if db.session.scalar(db.select(Period.id).where(Period.school_id == school.id).limit(1)) is None:
        return {"kind": "empty", "link": link}
    if not school.schedule_confirmed and manage:
        return {"kind": "default", "link": link}
    return None


def problems_from(messages, where: tuple = ()) -> list[str]:
    """Marshmallow's nested messages as sentences a principal can act on ("Row 2, Start: …")."""
    if isinstance(messages, dict):
        return [p for key, inner in messages.items() for p in problems_from(inner, (*where, key))]
    if isinstance(messages, list) and any(isinstance(m, (dict, list)) for m in messages):
        return [p for inner in messages for p in problems_from(inner, where)]
    labels = [f"Row {key + 1}" if isinstance(key, int) else FIELD_LABELS.get(key, key) for key in where]
    prefix = ", ".join(label for label in labels if label)
    items = messages if isinstance(messages, list) else [messages]
    return [f"{prefix}: {item}" if prefix else str(item) for item in items]


def whole_number(raw: str):
    """A form's digits as an int; anything else goes to the schema as is, to be refused there."""
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else raw


def decimal_number(raw: str):
    """A form's decimal ("1.5", "2") as a float; anything else goes to the schema as is, to be refused there."""
    raw = raw.strip()
    whole, _dot, fraction = raw.partition(".")
    digits = (whole + fraction).isascii() and (whole + fraction).isdigit() and whole != "" and len(raw) <= 9
    return float(raw) if digits and (not _dot or fraction) else raw


def local_date(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"


def school_for(school_id: int):
    return require_school(Action.MANAGE_SCHOOL, school_id)


def in_school(model, object_id: int, school_id: int):
    """An object of this school only: another school's (or one out of reach) is a 404."""
    obj = get_for(model, object_id, Action.MANAGE_SCHOOL)
    if obj.school_id != school_id:
        abort(404)
    return obj


def back(school_id: int, section: str):
    return redirect(url_for("schools.overview", school_id=school_id, _anchor=section))


def leave_or_back(school_id: int, section: str):
    """Back to the overview, unless the user just gave up managing this school themselves."""
    if can(Action.MANAGE_SCHOOL, school_id):
        return back(school_id, section)
    return redirect(url_for("schools.index"))


def overview_page(school, status: int = 200, section: str = "", problems: list[str] | None = None, form=None):
    periods = service.periods_of(school)
    zone = ZoneInfo(school.timezone)
    new_invitation = session.pop(NEW_INVITATION, None) if status == 200 else None
    if new_invitation and new_invitation.get("school_id") != school.id:
        new_invitation = None
    return page(
        "schools/overview.html", status,
        school=school,
        periods=periods,
        spare_rows=max(0, min(SPARE_PERIOD_ROWS, MAX_PERIODS - len(periods))),
        places=service.locations_of(school, include_archived=True),
        members=staff.members_of(school),
        invitations=staff.pending_invitations(school),
        new_invitation=new_invitation,
        invitation_days=invitation_days().days,
        local_date=lambda moment: local_date(moment, zone),
        section=section,
        problems=problems or [],
        form=form or {},
    )


def refuse(school, section: str, form: dict, error) -> object:
    """Re-render with what went wrong: 422 for invalid input, 409 for a clash with what is stored."""
    db.session.rollback()
    if isinstance(error, ValidationError):
        return overview_page(school, 422, section, problems_from(error.messages), form)
    return overview_page(school, 409, section, [str(error)], form)


@bp.get("/schools")
@login_required
def index():
    """Every school the user can reach; district admins may add one."""
    return index_page()


def index_page(status: int = 200, form: dict | None = None, problems: list[str] | None = None):
    return page("schools/index.html", status, schools=service.reachable_schools(current_user),
                districts=district_names(admin_district_ids()), form=form or {}, problems=problems or [])


@bp.post("/schools")
@login_required
def add_school():
    """District admins add a school to their district, with the default bell schedule to start."""
    form = {"name": request.form.get("name", ""), "timezone": request.form.get("timezone", "")}
    raw_district = request.form.get("district_id", "").strip()
    district_id = require_district_admin(whole_number(raw_district) if raw_district else None)
    try:
        fields = SchoolCreateSchema().load(form)
    except ValidationError as error:
        return index_page(422, {**form, "district_id": district_id}, problems_from(error.messages))
    school = service.create_school(current_user, district_id, fields["name"], fields["timezone"])
    db.session.commit()
    forget_roles()
    flash(f"{school.name} is added, with a default bell schedule to start. Check the schedule and add its places next.", "success")
    return redirect(url_for("schools.overview", school_id=school.id))


@bp.get("/schools/<int:school_id>")
@login_required
def overview(school_id: int):
    """The school overview: bell schedule, places, staff, invitations and settings."""
    return overview_page(school_for(school_id))


@bp.post("/schools/<int:school_id>/settings")
@login_required
def save_settings(school_id: int):
    school = school_for(school_id)
    form = {name: request.form.get(name, "") for name in service.SETTINGS}
    values = {**form, **{name: whole_number(form[name]) for name in ("min_cell_n", "walk_idle_minutes")}}
    values["note_retention_days"] = whole_number(form["note_retention_days"]) if form["note_retention_days"].strip() else None
    if "min_listening_hours" in request.form:
        values["min_listening_hours"] = decimal_number(form["min_listening_hours"])
    else:  # a settings page from before the field: leave it as it is
        del values["min_listening_hours"]
    try:
        changed = service.update_settings(current_user, school, SchoolPatchSchema().load(values))
    except ValidationError as error:
        return refuse(school, "settings", form, error)
    db.session.commit()
    flash("Settings saved." if changed else "Nothing to change: the settings were already like that.", "success")
    return back(school_id, "settings")


@bp.post("/schools/<int:school_id>/schedule")
@login_required
def save_schedule(school_id: int):
    school = school_for(school_id)
    rows = list(zip(request.form.getlist("name"), request.form.getlist("starts_at"), request.form.getlist("ends_at")))
    filled = [{"name": n, "starts_at": s, "ends_at": e} for n, s, e in rows if (n + s + e).strip()]
    try:
        periods = PeriodSchema(many=True).load(filled)
        service.replace_periods(current_user, school, periods)
    except ValidationError as error:
        return refuse(school, "schedule", {"rows": filled}, error)
    db.session.commit()
    flash(f"Bell schedule saved: {len(periods)} periods.", "success")
    return back(school_id, "schedule")


@bp.post("/schools/<int:school_id>/schedule/reset")
@login_required
def reset_schedule(school_id: int):
    service.reset_periods(current_user, school_for(school_id))
    db.session.commit()
    flash("Bell schedule reset to the default day: before school from 07:30, six periods and lunch, after school until 16:00.", "success")
    return back(school_id, "schedule")


@bp.post("/schools/<int:school_id>/places")
@login_required
def add_place(school_id: int):
    school = school_for(school_id)
    form = {"name": request.form.get("name", ""), "kind": request.form.get("kind", "")}
    try:
        fields = LocationSchema().load(form)
        location = service.add_location(current_user, school, fields["name"], fields["kind"])
    except (ValidationError, RefusedChange) as error:
        return refuse(school, "places", form, error)
    db.session.commit()
    flash(f"\u201c{location.name}\u201d is added to the places.", "success")
    return back(school_id, "places")


@bp.post("/schools/<int:school_id>/places/<int:location_id>")
@login_required
def edit_place(school_id: int, location_id: int):
    school = school_for(school_id)
    location = in_school(Location, location_id, school_id)
    form = {"name": request.form.get("name", ""), "kind": request.form.get("kind", ""), "location_id": location_id}
    try:
        changes = LocationPatchSchema().load({"name": form["name"], "kind": form["kind"]})
        service.update_location(current_user, location, changes)
    except (ValidationError, RefusedChange) as error:
        return refuse(school, "places", form, error)
    db.session.commit()
    flash(f"\u201c{location.name}\u201d is saved.", "success")
    return back(school_id, "places")


@bp.post("/schools/<int:school_id>/places/<int:location_id>/archive")
@login_required
def archive_place(school_id: int, location_id: int):
    school_for(school_id)
    location = in_school(Location, location_id, school_id)
    name = location.name
    outcome = service.remove_location(current_user, location)
    db.session.commit()
    if outcome == "archived":
        flash(f"\u201c{name}\u201d is archived: gone from capture lists, kept in the history.", "success")
    else:
        flash(f"\u201c{name}\u201d is deleted (no conversation was logged there).", "success")
    return back(school_id, "places")


@bp.post("/schools/<int:school_id>/places/<int:location_id>/restore")
@login_required
def restore_place(school_id: int, location_id: int):
    school_for(school_id)
    location = in_school(Location, location_id, school_id)
    service.update_location(current_user, location, {"archived": False})
    db.session.commit()
    flash(f"\u201c{location.name}\u201d is back in the capture lists.", "success")
    return back(school_id, "places")


@bp.post("/schools/<int:school_id>/staff/<int:membership_id>")
@login_required
def change_role(school_id: int, membership_id: int):
    school = school_for(school_id)
    membership = in_school(Membership, membership_id, school_id)
    form = {"role": request.form.get("role", "")}
    try:
        fields = MembershipPatchSchema().load(form)
        staff.change_role(current_user, membership, fields["role"])
    except (ValidationError, RefusedChange) as error:
        return refuse(school, "staff", form, error)
    db.session.commit()
    flash(f"{membership.user.name} is now {ROLE_LABELS[fields['role']].lower()}.", "success")
    return leave_or_back(school_id, "staff")


@bp.post("/schools/<int:school_id>/staff/<int:membership_id>/remove")
@login_required
def remove_member(school_id: int, membership_id: int):
    school = school_for(school_id)
    membership = in_school(Membership, membership_id, school_id)
    name = membership.user.name
    try:
        staff.remove_member(current_user, membership)
    except RefusedChange as error:
        return refuse(school, "staff", {}, error)
    db.session.commit()
    flash(f"{name} no longer has a role at {school.name}.", "success")
    return leave_or_back(school_id, "staff")


@bp.post("/schools/<int:school_id>/invitations")
@login_required
def invite(school_id: int):
    school = school_for(school_id)
    form = {name: request.form.get(name, "") for name in ("email", "name", "role")}
    try:
        fields = InvitationCreateSchema().load(form)
        invitation, token = staff.invite(current_user, school, fields["email"], fields["name"], fields["role"],
                                         invitation_days())
    except (ValidationError, RefusedChange) as error:
        return refuse(school, "invite", form, error)
    db.session.commit()
    session[NEW_INVITATION] = {"school_id": school.id, "id": invitation.id, "email": invitation.email,
                               "link": invitation_link(token)}
    flash(f"Invitation made for {invitation.email}. Copy the link below and send it to them.", "success")
    return back(school_id, "invite")


@bp.post("/schools/<int:school_id>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(school_id: int, invitation_id: int):
    school = school_for(school_id)
    invitation = in_school(Invitation, invitation_id, school_id)
    email = invitation.email
    try:
        staff.revoke_invitation(current_user, invitation)
    except RefusedChange as error:
        return refuse(school, "invite", {}, error)
    db.session.commit()
    flash(f"The invitation for {email} is revoked: its link no longer works.", "success")
    return back(school_id, "invite")


def district_names(district_ids: list[int]) -> list[tuple[int, str]]:
    return [tuple(row) for row in db.session.execute(
        db.select(District.id, District.name).where(District.id.in_(district_ids)).order_by(District.name))]
