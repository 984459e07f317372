"""School administration API: settings, bell schedule, places, staff and invitations."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, jsonify, url_for
from flask.views import MethodView
from flask_login import current_user
from werkzeug.exceptions import Conflict

from schemas.auth import InvitationCreateSchema, InvitationSchema
from schemas.schools import (
    LocationPatchSchema,
    LocationQueryArgsSchema,
    LocationSchema,
    MemberSchema,
    MembershipPatchSchema,
    PeriodSchema,
    SchoolCreateSchema,
    SchoolDetailSchema,
    SchoolPatchSchema,
    SchoolSchema,
)
from server.access import (Action, administers_a_district, forget_roles, get_for, permits, require_district_admin,
                           require_school)
from server.auth.models import Invitation, Membership, User
from server.blueprint import ApiBlueprint
from server.db import db
from server.errors import http_error_response
from server.schools import service, staff
from server.schools.models import Location
from server.schools.service import RefusedChange

blp = ApiBlueprint(
    "schools_api", __name__, url_prefix="/api/v1",
    description="School administration: settings, bell schedule, places, staff and invitations",
)
SCHOOL_PATH = "/schools/<int:school_id>"


@blp.errorhandler(RefusedChange)
def refused(error: RefusedChange):
    """A change that conflicts with what the school has is a 409 that says why, for every route here."""
    db.session.rollback()
    return http_error_response(Conflict(str(error)))


def invitation_link(token: str) -> str:
    """The absolute one-time link the colleague opens to join."""
    return url_for("auth.accept_invitation", token=token, _external=True)


def invitation_days() -> timedelta:
    return timedelta(days=current_app.config["INVITATION_DAYS"])


@blp.route("/schools")
class Schools(MethodView):
    @blp.response(200, SchoolSchema(many=True))
    def get(self):
        """Schools the signed-in user can reach, with their role in each."""
        return service.reachable_schools(current_user)

    @blp.access(administers_a_district)
    @blp.arguments(SchoolCreateSchema)
    @blp.response(201, SchoolDetailSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, fields):
        """Add a school to the district (district admins); it starts with the default bell schedule, to be checked."""
        district_id = require_district_admin(fields.get("district_id"))
        school = service.create_school(current_user, district_id, fields["name"], fields["timezone"])
        db.session.commit()
        forget_roles()
        return service.school_summary(school, current_user)


@blp.route(SCHOOL_PATH)
class SchoolDetail(MethodView):
    @blp.response(200, SchoolDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, school_id):
        """One school with its settings."""
        school = require_school(Action.VIEW_SCHOOL, school_id)
        return service.school_summary(school, current_user)

    @blp.access(permits(Action.MANAGE_SCHOOL))
    @blp.arguments(SchoolPatchSchema)
    @blp.response(200, SchoolDetailSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, changes, school_id):
        """Change the school's name, time zone or data settings (principals, district admins)."""
        school = require_school(Action.MANAGE_SCHOOL, school_id)
        service.update_settings(current_user, school, changes)
        db.session.commit()
        return service.school_summary(school, current_user)


@blp.route(f"{SCHOOL_PATH}/periods")
class Periods(MethodView):
    @blp.response(200, PeriodSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, school_id):
        """The bell schedule, by start time, in the school's local time."""
        return service.periods_of(require_school(Action.VIEW_SCHOOL, school_id))

    @blp.access(permits(Action.MANAGE_SCHOOL))
    @blp.arguments(PeriodSchema(many=True))
    @blp.response(200, PeriodSchema(many=True))
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def put(self, periods, school_id):
        """Replace the whole bell schedule: 1 to 20 periods, unique names, none overlapping."""
        school = require_school(Action.MANAGE_SCHOOL, school_id)
        result = service.replace_periods(current_user, school, periods)
        db.session.commit()
        return result


@blp.route(f"{SCHOOL_PATH}/periods/reset", methods=["POST"])
@blp.response(200, PeriodSchema(many=True))
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def reset_periods(school_id):
    """Go back to the default bell schedule, a typical six-period day (send an empty JSON body)."""
    school = require_school(Action.MANAGE_SCHOOL, school_id)
    result = service.reset_periods(current_user, school)
    db.session.commit()
    return result


@blp.route(f"{SCHOOL_PATH}/locations")
class Locations(MethodView):
    @blp.arguments(LocationQueryArgsSchema, location="query")
    @blp.response(200, LocationSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args, school_id):
        """The school's places, by name; archived ones only when asked for."""
        school = require_school(Action.VIEW_SCHOOL, school_id)
        return service.locations_of(school, args["include_archived"])

    @blp.access(permits(Action.MANAGE_SCHOOL))
    @blp.arguments(LocationSchema)
    @blp.response(201, LocationSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, fields, school_id):
        """Add a place; its name must be new to the school."""
        school = require_school(Action.MANAGE_SCHOOL, school_id)
        location = service.add_location(current_user, school, fields["name"], fields["kind"])
        db.session.commit()
        return location


@blp.route("/locations/<int:location_id>")
class LocationDetail(MethodView):
    @blp.access(permits(Action.MANAGE_SCHOOL, Location, "location_id"))
    @blp.arguments(LocationPatchSchema)
    @blp.response(200, LocationSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, changes, location_id):
        """Rename a place, change its kind, archive or restore it."""
        location = get_for(Location, location_id, Action.MANAGE_SCHOOL)
        service.update_location(current_user, location, changes)
        db.session.commit()
        return location

    @blp.response(204, description="Deleted: nobody had logged a conversation there")
    @blp.alt_response(200, schema=LocationSchema, description="Archived: kept for the conversations logged there")
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, location_id):
        """Remove a place: deleted if unused, else archived so history keeps it."""
        location = get_for(Location, location_id, Action.MANAGE_SCHOOL)
        outcome = service.remove_location(current_user, location)
        db.session.commit()
        if outcome == "archived":
            return jsonify(LocationSchema().dump(location))
        return None


@blp.route(f"{SCHOOL_PATH}/members")
@blp.response(200, MemberSchema(many=True))
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def members(school_id):
    """The school's staff and their roles (principals, district admins)."""
    return staff.members_of(require_school(Action.MANAGE_SCHOOL, school_id))


@blp.route("/memberships/<int:membership_id>")
class MembershipDetail(MethodView):
    @blp.access(permits(Action.MANAGE_SCHOOL, Membership, "membership_id"))
    @blp.arguments(MembershipPatchSchema)
    @blp.response(200, MemberSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, fields, membership_id):
        """Change someone's role in the school; the last principal stays a principal."""
        membership = get_for(Membership, membership_id, Action.MANAGE_SCHOOL)
        staff.change_role(current_user, membership, fields["role"])
        db.session.commit()
        return staff.member_row(membership, db.session.get(User, membership.user_id))

    @blp.response(204)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def delete(self, membership_id):
        """Remove someone's role in the school; with no role left anywhere they are signed out."""
        membership = get_for(Membership, membership_id, Action.MANAGE_SCHOOL)
        staff.remove_member(current_user, membership)
        db.session.commit()


@blp.route(f"{SCHOOL_PATH}/invitations")
class Invitations(MethodView):
    @blp.response(200, InvitationSchema(many=True))
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, school_id):
        """Invitations not yet used nor expired (their links are never shown again)."""
        return staff.pending_invitations(require_school(Action.MANAGE_SCHOOL, school_id))

    @blp.access(permits(Action.MANAGE_SCHOOL))
    @blp.arguments(InvitationCreateSchema)
    @blp.response(201, InvitationSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, fields, school_id):
        """Invite a colleague with a role; the one-time link is in this response only."""
        school = require_school(Action.MANAGE_SCHOOL, school_id)
        invitation, token = staff.invite(current_user, school, fields["email"], fields["name"], fields["role"],
                                         invitation_days())
        db.session.commit()
        return {**staff.invitation_row(invitation), "link": invitation_link(token)}


@blp.route("/invitations/<int:invitation_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT")
def revoke_invitation(invitation_id):
    """Revoke an unused invitation: its link stops working."""
    invitation = get_for(Invitation, invitation_id, Action.MANAGE_SCHOOL)
    staff.revoke_invitation(current_user, invitation)
    db.session.commit()
