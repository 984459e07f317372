"""The meeting brief's figures as JSON: the numbers behind the page and the PDF."""
from flask_login import current_user

from schemas.brief import BriefArgsSchema, BriefSchema
from server.access import Action, permits
from server.blueprint import ApiBlueprint
from server.brief import output
from server.brief.district import district_brief
from server.brief.periods import record_brief
from server.brief.service import school_brief
from server.db import db
from server.heatmaps.service import open_district

blp = ApiBlueprint("brief_api", __name__, url_prefix="/api/v1/brief",
                   description="The meeting brief: a period's numbers, changes, quiet places, results and questions")


def district_admin(**path) -> None:
    """The district brief's permission, checked before the query is read: district admins of it only."""
    open_district(current_user, path["district_id"], {})


@blp.route("/schools/<int:school_id>")
@blp.access(permits(Action.VIEW_AGGREGATES))
@blp.arguments(BriefArgsSchema, location="query")
@blp.response(200, BriefSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def school(args, school_id):
    """A school's brief. Viewers and observers get the staff version only (no observers, notes or cells under
    the minimum n); asking them for the leadership version is a 403. Recorded in the audit log."""
    brief = school_brief(current_user, school_id, args)
    record_brief(current_user.id, brief.period, brief.version, "json", school_id=school_id)
    db.session.commit()
    return output.as_json(brief)


@blp.route("/districts/<int:district_id>")
@blp.access(district_admin)
@blp.arguments(BriefArgsSchema, location="query")
@blp.response(200, BriefSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def district(args, district_id):
    """The district's schools side by side over the period, for district admins. Recorded in the audit log."""
    brief = district_brief(current_user, district_id, args)
    record_brief(current_user.id, brief.period, brief.version, "json", district_id=district_id)
    db.session.commit()
    return output.as_json(brief)
