"""Web Push API: the server's public key, and subscribing or unsubscribing the current device."""
from flask_login import current_user
from flask_smorest import abort

from schemas.push import (
    PushDeviceListSchema,
    PushDeviceSchema,
    PushKeySchema,
    PushSubscriptionSchema,
    PushUnsubscribeSchema,
    WeeklyNudgeSchema,
)
from server.access import Action, permits
from server.blueprint import ApiBlueprint
from server.db import db
from server.push import service
from server.push.endpoint_guard import EndpointRefused
from server.push.keys import VapidKeyError

blp = ApiBlueprint("push_api", __name__, url_prefix="/api/v1", description="Web Push reminders on the user's devices")
# OpenAPI links: what a client (or the stateful API fuzzer) can do next with the device it subscribed.
SUBSCRIPTIONS_REF = "#/paths/~1api~1v1~1push~1subscriptions"
SUBSCRIBED_LINKS = {
    "ListDevices": {"operationRef": f"{SUBSCRIPTIONS_REF}/get", "description": "The device is now among the user's"},
    "Unsubscribe": {"operationRef": f"{SUBSCRIPTIONS_REF}/delete", "requestBody": {"endpoint": "$request.body#/endpoint"},
                    "description": "Turn reminders off again for the device just subscribed"},
}


@blp.route("/push/key")
@blp.response(200, PushKeySchema)
@blp.alt_response(503, response="DEFAULT_ERROR")
def key():
    """The VAPID public key to subscribe with (applicationServerKey)."""
    try:
        return {"public_key": service.public_key()}
    except VapidKeyError:
        abort(503, message="Reminders are not set up on this server yet.")


@blp.route("/push/subscriptions")
@blp.response(200, PushDeviceListSchema)
def devices():
    """The signed-in user's devices that receive reminders."""
    return {"items": service.devices(current_user)}


@blp.route("/push/subscriptions", methods=["POST"])
@blp.arguments(PushSubscriptionSchema)
@blp.response(201, PushDeviceSchema)
@blp.doc(responses={201: {"links": SUBSCRIBED_LINKS}})
def subscribe(subscription):
    """Turn reminders on for this device: send PushSubscription.toJSON() after the user asked for it."""
    try:
        row = service.subscribe(current_user, subscription, service.endpoint_policy())
    except EndpointRefused as error:
        abort(422, message="This push endpoint is not one the server sends to.", errors={"json": {"endpoint": [str(error)]}})
    db.session.commit()
    (device,) = [d for d in service.devices(current_user, row.endpoint) if d["current"]]
    return device


@blp.route("/push/subscriptions", methods=["DELETE"])
@blp.arguments(PushUnsubscribeSchema)
@blp.response(204)
def unsubscribe(subscription):
    """Turn reminders off for this device (by its endpoint); the same answer whether or not it was on."""
    service.unsubscribe(current_user, subscription["endpoint"])
    db.session.commit()


@blp.route("/schools/<int:school_id>/weekly-nudge")
@blp.response(200, WeeklyNudgeSchema)
@blp.alt_response(404, response="NOT_FOUND")
def weekly_nudge(school_id):
    """The school's weekly "no walks logged this week" nudge (off unless turned on)."""
    return service.weekly_nudge(current_user, school_id)


@blp.route("/schools/<int:school_id>/weekly-nudge", methods=["PUT"])
@blp.access(permits(Action.MANAGE_SCHOOL))
@blp.arguments(WeeklyNudgeSchema)
@blp.response(200, WeeklyNudgeSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
def set_weekly_nudge(setting, school_id):
    """Turn the weekly nudge on or off and choose its school-local weekday and hour (principals)."""
    result = service.set_weekly_nudge(current_user, school_id, setting)
    db.session.commit()
    return result
