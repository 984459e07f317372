"""Rubrics API: the traits an observer listens for, per school."""

from schemas.rubrics import RubricQueryArgsSchema, RubricSchema
from server.access import Action, require_school
from server.blueprint import ApiBlueprint
from server.rubrics import service

blp = ApiBlueprint("rubrics_api", __name__, url_prefix="/api/v1", description="Rubrics and their traits")


@blp.route("/rubrics")
@blp.arguments(RubricQueryArgsSchema, location="query")
@blp.response(200, RubricSchema(many=True))
@blp.alt_response(404, response="NOT_FOUND")
def rubrics(args):
    """The rubrics a school can log against, each with its traits in order; the default comes first."""
    return service.rubrics_for(require_school(Action.VIEW_SCHOOL, args["school_id"]))
