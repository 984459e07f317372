"""Calibration as JSON: how closely observers agree, per trait, over co-listened conversations."""
from flask_login import current_user

from schemas.calibration import CalibrationArgsSchema, CalibrationSchema, DistrictCalibrationArgsSchema
from server.access import Action, permits
from server.blueprint import ApiBlueprint
from server.calibration import service

blp = ApiBlueprint("calibration_api", __name__, url_prefix="/api/v1/calibration",
                   description="Do our observers hear the same thing: agreement over co-listened conversations")


@blp.route("/schools/<int:school_id>")
@blp.access(permits(Action.VIEW_AGGREGATES))
@blp.arguments(CalibrationArgsSchema, location="query")
@blp.response(200, CalibrationSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def school_calibration(args, school_id):
    """Per trait: exact agreement, Krippendorff's alpha (ordinal) with a bootstrap 95 % interval, weighted kappa
    for pairs, each with its n; by month; the traits the team splits on most; and per observer how often they
    rated above or below colleagues (all observers for principals and district admins, oneself for an
    observer, nobody for a viewer). Never anyone's ratings or notes."""
    return service.as_json(service.school_report(current_user, school_id, args))


@blp.route("/districts/<int:district_id>")
@blp.access(service.check_district)
@blp.arguments(DistrictCalibrationArgsSchema, location="query")
@blp.response(200, CalibrationSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def district_calibration(args, district_id):
    """The district's schools pooled, and each school's agreement per trait (district admins only)."""
    return service.as_json(service.district_report(current_user, district_id, args))
