"""Coverage as JSON: which planned conversations happen, which do not, and how good the ones that do are."""
from __future__ import annotations

from schemas.coverage import CoverageArgsSchema, CoverageSchema
from server.access import Action, permits, require_school
from server.blueprint import ApiBlueprint
from server.coverage import service

blp = ApiBlueprint("coverage_api", __name__, url_prefix="/api/v1/coverage",
                   description="Coverage of planned conversations: checked, heard, and the traits heard there")


@blp.route("/schools/<int:school_id>", methods=["GET"])
@blp.access(permits(Action.VIEW_AGGREGATES))
@blp.arguments(CoverageArgsSchema, location="query")
@blp.response(200, CoverageSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def school_coverage(args, school_id):
    """Each planned conversation's occurrences in the range (local days; default its term), marked heard,
    checked (with why it was not heard), not checked, upcoming or cancelled; checked k of n, happened j of k
    with a 95 % interval; the trait shares of what was heard there; its follow-ups."""
    school = require_school(Action.VIEW_AGGREGATES, school_id)
    return service.as_json(service.school_coverage(school, args.get("start"), args.get("end")))
