"""Co-listen comparisons: read-only; sessions and logs arrive through the batch sync."""
from flask_login import current_user

from schemas.colisten import ColistenComparisonSchema, ColistenListSchema, ColistenQueryArgsSchema
from server.access import Action, require_school
from server.blueprint import ApiBlueprint
from server.colisten import queries

blp = ApiBlueprint("colisten_api", __name__, url_prefix="/api/v1",
                   description="Co-listening: how observers of one conversation heard it, once all have synced")


@blp.route("/colisten")
@blp.arguments(ColistenQueryArgsSchema, location="query")
@blp.response(200, ColistenListSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def my_comparisons(args):
    """Your co-listens of the last 30 days in a school (those with your log synced), with their comparisons."""
    require_school(Action.LOG, args["school_id"], current_user)
    return {"items": queries.comparisons_for(current_user, args["school_id"])}


@blp.route("/colisten/<session_id>")
@blp.response(200, ColistenComparisonSchema)
@blp.alt_response(404, response="NOT_FOUND")
def comparison(session_id: str):
    """One co-listen's comparison, for an observer whose own log of it has synced; anyone else: 404."""
    return queries.comparison_for(current_user, session_id)
