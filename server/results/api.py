"""Results as JSON: what became of the follow-ups, and the share that changed practice."""
from flask_login import current_user

from schemas.results import ResultsArgsSchema, ResultsSchema
from server.blueprint import ApiBlueprint
from server.results import service

blp = ApiBlueprint("results_api", __name__, url_prefix="/api/v1/results",
                   description="Did it lead to action: follow-ups and the share that changed practice")


@blp.route("/schools/<int:school_id>")
@blp.arguments(ResultsArgsSchema, location="query")
@blp.response(200, ResultsSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def school_results(args, school_id):
    """Follow-ups opened, closed on time or late, open; the share that changed practice overall, by trait,
    setting, kind and team, and by month. Never outcome notes or anyone's own figures."""
    return service.as_json(service.results(current_user, school_id, args))
