"""The audit log API: read-only. No route updates or deletes an event (a test walks the URL map)."""
from __future__ import annotations

from schemas.audit import AuditPageSchema, AuditQueryArgsSchema
from server.access import Action, require_school
from server.audit.queries import audit_page
from server.blueprint import ApiBlueprint

blp = ApiBlueprint("audit_api", __name__, url_prefix="/api/v1", description="The audit log of a school (read-only)")


@blp.route("/schools/<int:school_id>/audit", methods=["GET"])
@blp.arguments(AuditQueryArgsSchema, location="query")
@blp.response(200, AuditPageSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def school_audit(args, school_id):
    """Who did what, when and from where in this school, newest first (principals, district admins)."""
    school = require_school(Action.VIEW_AUDIT, school_id)
    return audit_page(school, args.get("action"), args["page"], args["per_page"])
