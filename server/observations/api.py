"""The offline app's API: bootstrap, batch sync, and the user's own observations and walks."""
from flask_login import current_user

from schemas.bootstrap import BootstrapSchema
from schemas.plan_checks import PlanCheckPageSchema, PlanCheckQueryArgsSchema
from schemas.observations import ObservationPageSchema, ObservationQueryArgsSchema, WalkPageSchema, WalkQueryArgsSchema
from schemas.sync import DOCUMENTED_RECORDS, SyncBatchSchema, SyncResponseSchema
from server.access import Action, permits
from server.blueprint import ApiBlueprint
from server.db import db, utcnow
from server.extensions import api
from server.observations import bootstrap as bootstrap_service
from server.observations import records, service

blp = ApiBlueprint("sync_api", __name__, url_prefix="/api/v1", description="Offline capture: bootstrap, sync, observations")
# OpenAPI links: where a client (or the stateful API fuzzer) reads back what it synced.
SYNCED_SCHOOL = {"school_id": "$request.body#/school_id"}
SYNCED_LINKS = {
    "OwnObservations": {"operationRef": "#/paths/~1api~1v1~1observations/get", "parameters": SYNCED_SCHOOL,
                        "description": "Read the synced observations back (tombstones included)"},
    "OwnWalks": {"operationRef": "#/paths/~1api~1v1~1walks/get", "parameters": SYNCED_SCHOOL,
                 "description": "Read the synced walks back"},
    "OwnFollowUps": {"operationRef": "#/paths/~1api~1v1~1follow-ups/get", "parameters": SYNCED_SCHOOL,
                     "description": "Read the synced follow-ups back"},
    "OwnPlanChecks": {"operationRef": "#/paths/~1api~1v1~1plan-checks/get", "parameters": SYNCED_SCHOOL,
                      "description": "Read the synced plan checks back (tombstones included)"},
}


@blp.record_once
def document_record_types(_state) -> None:
    """Records are loaded one by one (a bad one stays one result), so their shapes are added to the doc here."""
    for name, schema in DOCUMENTED_RECORDS.items():
        api.spec.components.schema(name, schema=schema)


@blp.route("/bootstrap")
@blp.response(200, BootstrapSchema)
def bootstrap():
    """Everything capture needs offline: schools (with can_log), places, periods, rubrics, vocabulary."""
    return bootstrap_service.bootstrap(current_user)


@blp.route("/sync", methods=["POST"])
@blp.access(permits(Action.LOG))
@blp.arguments(SyncBatchSchema)
@blp.response(200, SyncResponseSchema)
@blp.doc(responses={200: {"links": SYNCED_LINKS}})
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def sync(batch):
    """Upsert up to 200 walks, observations, follow-ups, plan checks and deletions by their UUIDs; one result per record, in order."""
    results = service.sync_batch(current_user, batch["school_id"], batch["records"])
    db.session.commit()
    return {"results": results, "server_time": utcnow()}


@blp.route("/observations")
@blp.arguments(ObservationQueryArgsSchema, location="query")
@blp.response(200, ObservationPageSchema)
@blp.alt_response(404, response="NOT_FOUND")
def own_observations(args):
    """The signed-in user's observations in a school, tombstones included, oldest change first."""
    return records.own_records("observation", current_user, args["school_id"], args["since"], args["limit"], args["from_"])


@blp.route("/walks")
@blp.arguments(WalkQueryArgsSchema, location="query")
@blp.response(200, WalkPageSchema)
@blp.alt_response(404, response="NOT_FOUND")
def own_walks(args):
    """The signed-in user's walks in a school, tombstones included, oldest change first."""
    return records.own_records("walk", current_user, args["school_id"], args["since"], args["limit"], args["from_"])


@blp.route("/plan-checks")
@blp.arguments(PlanCheckQueryArgsSchema, location="query")
@blp.response(200, PlanCheckPageSchema)
@blp.alt_response(404, response="NOT_FOUND")
def own_plan_checks(args):
    """The signed-in user's "checked, not heard" records in a school, tombstones included, oldest change first."""
    return records.own_records("plan_check", current_user, args["school_id"], args["since"], args["limit"])
