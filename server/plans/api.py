"""Planned conversations API: principals and district admins write, everyone in the school reads."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_login import current_user

from schemas.plans import (
    CalendarImportResultSchema,
    CalendarImportSchema,
    CancelDateSchema,
    OccurrenceQueryArgsSchema,
    OccurrenceSchema,
    PlanCreateSchema,
    PlanFeedSchema,
    PlanPatchSchema,
    PlanSchema,
)
from server.access import Action, get_for, permits, require_school
from server.blueprint import ApiBlueprint
from server.db import db
from server.errors import problem_response
from server.plans import feed, ics_import, service
from server.plans.models import PlannedConversation
from server.plans.service import RefusedPlan

blp = ApiBlueprint("plans_api", __name__, url_prefix="/api/v1",
                   description="Planned learning conversations: what, why, who, where and when; the calendar feed")
PLAN_PATH = "/plans/<int:plan_id>"
# OpenAPI links: what a client (or the stateful API fuzzer) can do next with the plan it created.
PLAN_REF = "#/paths/~1api~1v1~1plans~1{plan_id}"
PLAN_ID = {"plan_id": "$response.body#/id"}
CREATED_LINKS = {
    "GetPlan": {"operationRef": f"{PLAN_REF}/get", "parameters": PLAN_ID, "description": "Read the plan back"},
    "ChangePlan": {"operationRef": f"{PLAN_REF}/patch", "parameters": PLAN_ID, "description": "Change it"},
    "DeletePlan": {"operationRef": f"{PLAN_REF}/delete", "parameters": PLAN_ID, "description": "Delete it"},
    "Occurrences": {"operationRef": "#/paths/~1api~1v1~1plans~1{plan_id}~1occurrences/get", "parameters": PLAN_ID,
                    "description": "When it meets"},
    "CancelDay": {"operationRef": "#/paths/~1api~1v1~1plans~1{plan_id}~1cancellations/post", "parameters": PLAN_ID,
                  "description": "Cancel one of its days"},
}


@blp.errorhandler(RefusedPlan)
def refused(error: RefusedPlan):
    """Well-formed input that does not fit the school: a 422 naming the field, nothing stored."""
    db.session.rollback()
    return problem_response(422, "Unprocessable Entity", str(error), {"json": {error.field: [str(error)]}})


def feed_state(current) -> dict:
    return {"active": current is not None, "created_at": current.created_at if current else None, "url": None}


def feed_url(token: str) -> str:
    return url_for("plans.feed", token=token, _external=True)


@blp.route("/schools/<int:school_id>/plans")
class Plans(MethodView):
    @blp.response(200, PlanSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, school_id):
        """The school's planned conversations, by name."""
        school = require_school(Action.VIEW_SCHOOL, school_id)
        return [service.plan_row(plan) for plan in service.plans_of(school)]

    @blp.access(permits(Action.MANAGE_SCHOOL))
    @blp.arguments(PlanCreateSchema)
    @blp.response(201, PlanSchema)
    @blp.doc(responses={201: {"links": CREATED_LINKS}})
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, fields, school_id):
        """Plan a conversation (principals, district admins)."""
        school = require_school(Action.MANAGE_SCHOOL, school_id)
        plan = service.create_plan(current_user, school, fields)
        db.session.commit()
        return service.plan_row(plan)


@blp.route(PLAN_PATH)
class PlanDetail(MethodView):
    @blp.response(200, PlanSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, plan_id):
        """One planned conversation with its current recurrence."""
        return service.plan_row(get_for(PlannedConversation, plan_id, Action.VIEW_SCHOOL))

    @blp.access(permits(Action.MANAGE_SCHOOL, PlannedConversation, "plan_id"))
    @blp.arguments(PlanPatchSchema)
    @blp.response(200, PlanSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, changes, plan_id):
        """Change a plan; a new recurrence applies to occurrences not yet started, earlier ones keep theirs."""
        plan = get_for(PlannedConversation, plan_id, Action.MANAGE_SCHOOL)
        service.update_plan(current_user, plan, changes)
        db.session.commit()
        return service.plan_row(plan)

    @blp.access(permits(Action.MANAGE_SCHOOL, PlannedConversation, "plan_id"))
    @blp.response(204)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, plan_id):
        """Delete a plan from now on, keeping its history.

        It leaves the plan, the feed and the phones, and is a 404 from then on; its occurrences before the
        deletion, their checks and the logs linked to them stay, and past coverage shows it as removed."""
        plan = get_for(PlannedConversation, plan_id, Action.MANAGE_SCHOOL)
        service.delete_plan(current_user, plan)
        db.session.commit()


@blp.route(f"{PLAN_PATH}/cancellations", methods=["POST"])
@blp.access(permits(Action.MANAGE_SCHOOL, PlannedConversation, "plan_id"))
@blp.arguments(CancelDateSchema)
@blp.response(200, PlanSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def cancel_day(fields, plan_id):
    """Cancel one day's meeting (a snow day, a holiday): today or later, within the term."""
    plan = get_for(PlannedConversation, plan_id, Action.MANAGE_SCHOOL)
    service.cancel_day(current_user, plan, fields["day"])
    db.session.commit()
    return service.plan_row(plan)


@blp.route(f"{PLAN_PATH}/occurrences", methods=["GET"])
@blp.access(permits(Action.VIEW_SCHOOL, PlannedConversation, "plan_id"))
@blp.arguments(OccurrenceQueryArgsSchema, location="query")
@blp.response(200, OccurrenceSchema(many=True))
@blp.alt_response(404, response="NOT_FOUND")
def occurrences(args, plan_id):
    """When the plan meets between two local days (at most 400 days), each from the rule valid then."""
    plan = get_for(PlannedConversation, plan_id, Action.VIEW_SCHOOL)
    return service.occurrences_between(plan, args["start"], args["end"])


@blp.route("/schools/<int:school_id>/plan-feed")
class PlanFeed(MethodView):
    @blp.response(200, PlanFeedSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, school_id):
        """Whether the school's calendar feed is on (its URL is shown only when made)."""
        return feed_state(feed.feed_of(require_school(Action.MANAGE_SCHOOL, school_id)))

    @blp.access(permits(Action.MANAGE_SCHOOL))
    @blp.response(201, PlanFeedSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, school_id):
        """Make a new secret feed URL (send an empty body); any earlier URL stops working."""
        school = require_school(Action.MANAGE_SCHOOL, school_id)
        token = feed.renew(current_user, school)
        db.session.commit()
        return {"active": True, "created_at": feed.feed_of(school).created_at, "url": feed_url(token)}

    @blp.access(permits(Action.MANAGE_SCHOOL))
    @blp.response(200, PlanFeedSchema)
    @blp.alt_response(403, response="FORBIDDEN")
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, school_id):
        """Turn the feed off: its URL answers 404 from now on. The answer is the feed's new state (off):
        the setting stays, and a POST turns it on again with a new URL."""
        school = require_school(Action.MANAGE_SCHOOL, school_id)
        feed.revoke(current_user, school)
        db.session.commit()
        return feed_state(None)


@blp.route("/schools/<int:school_id>/plans/import", methods=["POST"])
@blp.access(permits(Action.MANAGE_SCHOOL))
@blp.arguments(CalendarImportSchema)
@blp.response(200, CalendarImportResultSchema)
@blp.alt_response(413, response="DEFAULT_ERROR", description="The request body is larger than the limit (1 MB by default)")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def import_calendar(fields, school_id):
    """Turn an .ics file's repeating meetings into plans: a preview first, then again with confirm=true."""
    school = require_school(Action.MANAGE_SCHOOL, school_id)
    plans, skipped, created = ics_import.import_calendar(current_user, school, fields["calendar"], fields["confirm"])
    if created:
        db.session.commit()
    return {"plans": plans, "skipped": skipped, "created": created}
