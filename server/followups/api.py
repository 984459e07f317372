"""Follow-ups API: the user's own follow-ups for the offline app, one by id, possible owners, later logs that
may be evidence, the school view.

Writes (create, complete, snooze, delete) go through POST /api/v1/sync as records of type "follow_up".
"""
from flask_login import current_user

from schemas.followups import (
    FollowUpOwnerListSchema,
    FollowUpPageSchema,
    FollowUpQueryArgsSchema,
    FollowUpSchema,
    FollowUpSummarySchema,
    LaterLogArgsSchema,
    LaterLogListSchema,
    SchoolArgsSchema,
)
from server.blueprint import ApiBlueprint
from server.followups import queries, service

blp = ApiBlueprint("followups_api", __name__, url_prefix="/api/v1", description="Follow-ups that close the loop")


@blp.route("/follow-ups")
@blp.arguments(FollowUpQueryArgsSchema, location="query")
@blp.response(200, FollowUpPageSchema)
@blp.alt_response(404, response="NOT_FOUND")
def own_follow_ups(args):
    """Follow-ups the signed-in user owns or created in a school, tombstones included, oldest change first."""
    return service.own_follow_ups(current_user, args["school_id"], args["since"], args["limit"])


@blp.route("/follow-ups/<follow_up_id>")
@blp.response(200, FollowUpSchema)
@blp.alt_response(404, response="NOT_FOUND")
def follow_up(follow_up_id):
    """One follow-up (what a reminder opens): its owner's, its creator's, or a principal's."""
    return service.visible_follow_up(current_user, follow_up_id)


@blp.route("/follow-ups/<follow_up_id>/later-logs")
@blp.arguments(LaterLogArgsSchema, location="query")
@blp.response(200, LaterLogListSchema)
@blp.alt_response(404, response="NOT_FOUND")
def later_logs(args, follow_up_id):
    """Logs heard after the follow-up's conversation that its closer may link as evidence of change (what the
    closing phone lists when online, beside its own unsynced logs)."""
    return service.later_logs(current_user, follow_up_id, args["limit"])


@blp.route("/follow-ups/owners")
@blp.arguments(SchoolArgsSchema, location="query")
@blp.response(200, FollowUpOwnerListSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def owners(args):
    """Colleagues a follow-up in the school can be given to."""
    return {"items": service.possible_owners(current_user, args["school_id"])}


@blp.route("/schools/<int:school_id>/follow-up-summary")
@blp.response(200, FollowUpSummarySchema)
@blp.alt_response(404, response="NOT_FOUND")
def summary(school_id):
    """Open and overdue counts, and the share that ended in changed practice by trait and by setting."""
    return queries.summary(current_user, school_id)
