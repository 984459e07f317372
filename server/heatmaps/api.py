"""The heatmaps as JSON: the same tables the dashboard pages show, for any client."""
from flask_login import current_user

from schemas.heatmaps import (DistrictFrequencyArgsSchema, DistrictQualityArgsSchema, FrequencyArgsSchema,
                              HeatmapSchema, QualityArgsSchema, TrendsArgsSchema)
from server.blueprint import ApiBlueprint
from server.heatmaps import service
from server.heatmaps.cells import as_json

blp = ApiBlueprint("heatmaps_api", __name__, url_prefix="/api/v1/heatmaps",
                   description="Heatmaps: frequency, quality and trends per school; schools side by side per district")


def _school_route(rule: str, args_schema):
    def decorate(view):
        for decorator in reversed((
            blp.route(rule),
            blp.arguments(args_schema, location="query"),
            blp.response(200, HeatmapSchema),
            blp.alt_response(403, response="FORBIDDEN"),
            blp.alt_response(404, response="NOT_FOUND"),
        )):
            view = decorator(view)
        return view
    return decorate


@_school_route("/schools/<int:school_id>/frequency", FrequencyArgsSchema)
def school_frequency(args, school_id):
    """Conversations heard per hour of listening, by place (or kind) and period (or weekday)."""
    view = service.open_school(current_user, school_id, args)
    return as_json(service.frequency(view, args["rows"], args["columns"], args["measure"]))


@_school_route("/schools/<int:school_id>/quality", QualityArgsSchema)
def school_quality(args, school_id):
    """For each trait, the share of conversations in which it was heard, by the chosen column."""
    view = service.open_school(current_user, school_id, args)
    return as_json(service.quality(view, args["by"], args["measure"]))


@_school_route("/schools/<int:school_id>/trends", TrendsArgsSchema)
def school_trends(args, school_id):
    """Weekly share per trait; each column carries the week's number of conversations."""
    view = service.open_school(current_user, school_id, args)
    return as_json(service.trends(view))


@_school_route("/districts/<int:district_id>/quality", DistrictQualityArgsSchema)
def district_quality(args, district_id):
    """Schools × traits, for district admins."""
    view = service.open_district(current_user, district_id, args)
    return as_json(service.district_quality(view, args["measure"]))


@_school_route("/districts/<int:district_id>/frequency", DistrictFrequencyArgsSchema)
def district_frequency(args, district_id):
    """Schools × weekday, conversations per hour of listening, for district admins."""
    view = service.open_district(current_user, district_id, args)
    return as_json(service.district_frequency(view, args["measure"]))
