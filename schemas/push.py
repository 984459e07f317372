"""Web Push: the server's public key, a device's subscription (PushSubscription.toJSON()) and its removal.

The keys are checked here for their shape (a P-256 point and a 16-byte secret); whether the
endpoint is a push service the server may reach is the endpoint guard's job in the service.
"""
from __future__ import annotations

import base64
import binascii
import re

from cryptography.hazmat.primitives.asymmetric import ec
from marshmallow import fields, validate

from schemas.base import CleanString, StrictSchema

MAX_ENDPOINT_LENGTH = 2048
BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


def decode_base64url(text: str) -> bytes | None:
    if not BASE64URL.match(text):
        return None
    try:
        return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None


class P256PublicKey(fields.String):
    """The device's ECDH key: base64url of a 65-byte uncompressed point that lies on P-256."""

    default_error_messages = {"key": "Must be the base64url of an uncompressed P-256 public key (65 bytes)."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        raw = decode_base64url(text) if len(text) <= 100 else None
        if raw is None or len(raw) != 65 or raw[0] != 4:
            raise self.make_error("key")
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            raise self.make_error("key") from None
        return text.rstrip("=")


class AuthSecret(fields.String):
    default_error_messages = {"secret": "Must be the base64url of a 16-byte authentication secret."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        raw = decode_base64url(text) if len(text) <= 40 else None
        if raw is None or len(raw) != 16:
            raise self.make_error("secret")
        return text.rstrip("=")


class PushKeysSchema(StrictSchema):
    p256dh = P256PublicKey(required=True)
    auth = AuthSecret(required=True)


class PushSubscriptionSchema(StrictSchema):
    """What `PushSubscription.toJSON()` gives in the browser, sent as it is."""

    endpoint = CleanString(strip=False, required=True, validate=validate.Length(min=1, max=MAX_ENDPOINT_LENGTH))
    expirationTime = fields.Float(load_default=None, allow_none=True, load_only=True,  # noqa: N815 (the browser's name)
                                    metadata={"description": "Ignored; the browser's own field"})
    keys = fields.Nested(PushKeysSchema, required=True)


class PushUnsubscribeSchema(StrictSchema):
    endpoint = CleanString(strip=False, required=True, validate=validate.Length(min=1, max=MAX_ENDPOINT_LENGTH))


class PushDeviceSchema(StrictSchema):
    """One of the user's devices with reminders on; never the endpoint's secret path or keys."""

    id = fields.Integer(dump_only=True)
    push_service = fields.String(dump_only=True, metadata={"description": "The push service's host name"})
    created_at = fields.AwareDateTime(format="iso", dump_only=True)
    last_success_at = fields.AwareDateTime(format="iso", dump_only=True, allow_none=True)
    current = fields.Boolean(dump_only=True, metadata={"description": "True for the subscription just sent"})


class PushDeviceListSchema(StrictSchema):
    items = fields.List(fields.Nested(PushDeviceSchema), dump_only=True)


class PushKeySchema(StrictSchema):
    public_key = fields.String(dump_only=True, metadata={
        "description": "The VAPID application server key: pass it as applicationServerKey to pushManager.subscribe()"})


class WeeklyNudgeSchema(StrictSchema):
    """The school's weekly "no walks logged this week" nudge; off by default."""

    enabled = fields.Boolean(required=True, truthy={True}, falsy={False})
    weekday = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=6),
                             metadata={"description": "School-local weekday: 0 Monday … 6 Sunday"})
    hour = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=23),
                          metadata={"description": "School-local hour, 0–23"})
