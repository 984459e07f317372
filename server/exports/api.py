"""The whole-school export: a zip of CSVs and a manifest, for principals and district admins."""
from __future__ import annotations

from flask import Response
from flask_login import current_user

from server.access import Action, require_school
from server.blueprint import ApiBlueprint
from server.db import db
from server.exports.service import export_school

blp = ApiBlueprint("exports_api", __name__, url_prefix="/api/v1", description="Whole-school data export")


def zip_response(school, archive: bytes) -> Response:
    response = Response(archive, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="hallway-pulse-school-{school.id}.zip"'
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/schools/<int:school_id>/export", methods=["GET"])
@blp.response(200, content_type="application/zip", description="observations, walks, follow-ups, places, periods, "
              "staff and audit as CSV files, plus manifest.json (counts, schema revision, generation time)")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def school_export(school_id):
    """Everything the school holds, as a zip: for a records request or before leaving the service."""
    school = require_school(Action.EXPORT, school_id)
    archive, _manifest = export_school(current_user, school)
    db.session.commit()
    return zip_response(school, archive)
