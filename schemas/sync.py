"""The offline app's batch sync: the envelope, one schema per record type, per-record results.

The envelope is checked as a whole (a bad envelope is a 422); each record is loaded on its own
by the service, so one bad record becomes an `invalid` result and never blocks the others.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from schemas.base import CleanString, Day, DictDumpSchema, Moment, StrictSchema

MAX_RECORDS = 200
MAX_ID = 2**31 - 1
FUTURE_SLACK = timedelta(days=1)
MAX_WALK = timedelta(hours=12)
MAX_PARTICIPANT_ROLES = 6
TEAM_MAX_LENGTH = 60
NOTE_MAX_LENGTH = 280
TRAIT_LEVELS = (0, 1, 2)
# Co-listen codes (server/colisten): six characters the lead's phone draws from an alphabet without
# look-alikes (no 0/O, 1/I/L), typed or scanned by colleagues. 31^6 ≈ 8.9e8 codes.
COLISTEN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
COLISTEN_CODE = re.compile(f"^[{COLISTEN_ALPHABET}]{{6}}$")
MAX_COLISTEN = timedelta(hours=12)

SETTINGS = ("informal", "formal")
CONVERSATION_KINDS = {
    "hallway_chat": "informal", "lounge": "informal", "lunch": "informal",
    "before_after_school": "informal", "parking_lot": "informal",
    "plc": "formal", "data_team": "formal", "grade_department_meeting": "formal",
    "post_observation_conference": "formal", "learning_walk_debrief": "formal",
    "coaching_session": "formal", "planning_session": "formal",
}
PARTICIPANT_ROLES = ("teacher", "coach", "administrator", "specialist", "support_staff", "other")
RECORD_TYPES = ("walk", "observation", "deletion", "follow_up", "plan_check", "colisten")  # follow_up: schemas/followups.py (issue 5)
ENTITIES = ("observation", "walk", "follow_up", "plan_check")
PLAN_CHECK_OUTCOMES = ("not_held", "cancelled", "not_learning")
STATUSES = ("stored", "unchanged", "conflict", "invalid")
COLISTEN_LINKS = ("linked", "waiting", "outside_window")


class WholeNumber(fields.Integer):
    """A JSON integer: no strings, floats or booleans (bool is an int in Python)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_ID))
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class JsonBoolean(fields.Boolean):
    """Only JSON true/false, not "yes" or 1."""

    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is not bool:
            raise self.make_error("invalid", input=value)
        return value


class OffsetDateTime(Moment):
    """ISO 8601 with an offset, kept as given (the device's offset is data), from 2000 to `latest` ahead."""

    default_error_messages = {"future": "Must not be more than {limit} in the future."}

    def __init__(self, latest: timedelta = FUTURE_SLACK, latest_words: str = "a day", **kwargs):
        super().__init__(**kwargs)
        self.latest, self.latest_words = latest, latest_words

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment > datetime.now(timezone.utc) + self.latest:
            raise self.make_error("future", limit=self.latest_words)
        return moment


class ParticipantRoles(fields.Field):
    """Up to six roles from the vocabulary, each once (checked in one pass: batches are large)."""

    default_error_messages = {
        "invalid": f"Must be a list of at most {MAX_PARTICIPANT_ROLES} of: {', '.join(PARTICIPANT_ROLES)}.",
        "repeated": "List each role once.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"type": "array", "items": {"type": "string", "enum": list(PARTICIPANT_ROLES)},
                                       "maxItems": MAX_PARTICIPANT_ROLES, "uniqueItems": True})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list) or len(value) > MAX_PARTICIPANT_ROLES:
            raise self.make_error("invalid")
        if not all(isinstance(role, str) and role in PARTICIPANT_ROLES for role in value):
            raise self.make_error("invalid")
        if len(set(value)) != len(value):
            raise self.make_error("repeated")
        return list(value)


class TraitLevels(fields.Field):
    """Trait key → level (0 not heard, 1 heard, 2 strong); traits left out are 0."""

    default_error_messages = {
        "invalid": "Must be an object of trait keys (at most 40 characters) to 0, 1 or 2.",
        "level": "Must be 0, 1 or 2.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {
            "type": "object", "additionalProperties": {"type": "integer", "enum": list(TRAIT_LEVELS)},
            "maxProperties": 40, "description": "Level per trait key of the rubric: 0 not heard, 1 heard, 2 strong; missing = 0",
        })
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict) or len(value) > 40:
            raise self.make_error("invalid")
        if not all(0 < len(key) <= 40 for key in value):
            raise self.make_error("invalid")
        wrong = {key: [self.error_messages["level"]] for key, level in value.items()
                 if type(level) is not int or level not in TRAIT_LEVELS}
        if wrong:
            raise ValidationError(wrong)
        return dict(value)


def blank_to_none(text: str | None) -> str | None:
    return text or None


class RecordSchema(StrictSchema):
    """What every record carries: its client-made UUID and its version (1, then +1 per local edit)."""

    type = fields.String(required=True, validate=validate.OneOf(RECORD_TYPES))
    id = fields.UUID(required=True)
    version = WholeNumber(required=True)


class WalkRecordSchema(RecordSchema):
    started_at = OffsetDateTime(required=True)
    ended_at = OffsetDateTime(load_default=None, allow_none=True)

    @validates_schema
    def ends_after_start(self, data, **_kwargs):
        started, ended = data.get("started_at"), data.get("ended_at")
        if started and ended:
            if ended < started:
                raise ValidationError("A walk cannot end before it starts.", "ended_at")
            if ended - started > MAX_WALK:
                raise ValidationError("A walk lasts at most 12 hours.", "ended_at")


class ObservationRecordSchema(RecordSchema):
    walk_id = fields.UUID(load_default=None, allow_none=True)
    rubric_id = WholeNumber(required=True)
    location_id = WholeNumber(required=True)
    observed_at = OffsetDateTime(required=True)
    setting = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(SETTINGS))
    conversation_kind = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(tuple(CONVERSATION_KINDS))
    )
    participant_count = WholeNumber(load_default=None, allow_none=True, validate=validate.Range(min=1, max=99))
    participant_roles = ParticipantRoles(load_default=list)
    team = CleanString(load_default=None, allow_none=True, validate=validate.Length(max=TEAM_MAX_LENGTH))
    note = CleanString(load_default=None, allow_none=True, validate=validate.Length(max=NOTE_MAX_LENGTH))
    needs_follow_up = JsonBoolean(load_default=False)
    trait_levels = TraitLevels(load_default=dict)
    colisten_code = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        COLISTEN_CODE, error="Must be a co-listen code: 6 of " + COLISTEN_ALPHABET + "."), metadata={
        "description": "The co-listen code this phone was given (the lead's phone: its own session's code)"})
    # The planned occurrence this log was made at (issue 16): both or neither; old clients send neither.
    plan_id = WholeNumber(load_default=None, allow_none=True, metadata={"description": "A planned conversation of the school"})
    plan_day = Day(load_default=None, allow_none=True, metadata={"description": "The occurrence's day in the school's zone"})

    @validates_schema
    def plan_named_whole(self, data, **_kwargs):
        if (data.get("plan_id") is None) != (data.get("plan_day") is None):
            raise ValidationError("Name the planned occurrence by both plan_id and plan_day, or neither.", "plan_day")

    @validates_schema
    def kind_matches_setting(self, data, **_kwargs):
        kind, setting = data.get("conversation_kind"), data.get("setting")
        if kind and setting and CONVERSATION_KINDS[kind] != setting:
            raise ValidationError(f"A {kind} conversation is {CONVERSATION_KINDS[kind]}, not {setting}.", "conversation_kind")

    @post_load
    def fill_in(self, data, **_kwargs):
        """Derive the setting from the kind; empty text is no text."""
        if data["conversation_kind"] and not data["setting"]:
            data["setting"] = CONVERSATION_KINDS[data["conversation_kind"]]
        data["team"] = blank_to_none(data["team"])
        data["note"] = blank_to_none(data["note"])
        return data

    def load_well_formed(self, raw: dict) -> dict | None:
        """The usual, valid record in one pass (several times quicker than `load`: batches are large).

        Accepts only what `load` accepts, with the same result (tests/sync/test_sync_schema.py holds
        the two together); anything unusual returns None, and `load` then gives its exact errors.
        Times and text go through the schema's own fields.
        """
        try:
            if not _plainly_valid(raw, self.load_fields.keys()):
                return None
            get, fields_ = raw.get, self.load_fields
            record_id = _uuid(raw["id"])
            walk_id = None if get("walk_id") is None else _uuid(raw["walk_id"])
            observed_at = fields_["observed_at"].deserialize(raw["observed_at"], "observed_at", raw)
            team = None if get("team") is None else fields_["team"].deserialize(raw["team"], "team", raw)
            note = None if get("note") is None else fields_["note"].deserialize(raw["note"], "note", raw)
            plan_id, plan_day = get("plan_id"), get("plan_day")
            if (plan_id is None) != (plan_day is None) or not (plan_id is None or _whole(plan_id)):
                return None
            if plan_day is not None:
                plan_day = fields_["plan_day"].deserialize(plan_day, "plan_day", raw)
            code = get("colisten_code")
            if code is not None and (type(code) is not str or not COLISTEN_CODE.match(code)):
                return None
        except (ValidationError, ValueError, TypeError, AttributeError):
            return None
        kind, setting, roles = get("conversation_kind"), get("setting"), get("participant_roles", [])
        return {
            "type": "observation", "id": record_id, "version": raw["version"], "walk_id": walk_id,
            "rubric_id": raw["rubric_id"], "location_id": raw["location_id"], "observed_at": observed_at,
            "setting": setting or (CONVERSATION_KINDS[kind] if kind else None), "conversation_kind": kind,
            "participant_count": get("participant_count"), "participant_roles": list(roles),
            "team": team or None, "note": note or None,
            "needs_follow_up": get("needs_follow_up", False), "trait_levels": dict(get("trait_levels", {})),
            "plan_id": plan_id, "plan_day": plan_day, "colisten_code": code,
        }


_REQUIRED_OBSERVATION_FIELDS = {"type", "id", "version", "rubric_id", "location_id", "observed_at"}


def _plainly_valid(raw: dict, known: set) -> bool:
    """The checks of ObservationRecordSchema that need no parsing, as plain comparisons."""
    get = raw.get
    kind, setting = get("conversation_kind"), get("setting")
    roles, levels, count = get("participant_roles", []), get("trait_levels", {}), get("participant_count")
    return (
        raw.keys() <= known and _REQUIRED_OBSERVATION_FIELDS <= raw.keys()
        and raw["type"] == "observation" and _whole(raw["version"]) and _whole(raw["rubric_id"])
        and _whole(raw["location_id"]) and (count is None or (_whole(count) and count <= 99))
        and (kind is None or (type(kind) is str and kind in CONVERSATION_KINDS))
        and (setting is None or (type(setting) is str and setting in SETTINGS))
        and (kind is None or setting is None or CONVERSATION_KINDS[kind] == setting)
        and type(get("needs_follow_up", False)) is bool
        and type(roles) is list and len(roles) <= MAX_PARTICIPANT_ROLES
        and all(type(role) is str and role in PARTICIPANT_ROLES for role in roles) and len(set(roles)) == len(roles)
        and type(levels) is dict and len(levels) <= 40
        and all(type(key) is str and 0 < len(key) <= 40 and type(level) is int and level in TRAIT_LEVELS
                for key, level in levels.items())
    )


def _whole(value) -> bool:
    return type(value) is int and 1 <= value <= MAX_ID


def _uuid(value) -> uuid.UUID:
    if type(value) is not str:
        raise TypeError("not a string")
    return uuid.UUID(value)


class DeletionRecordSchema(RecordSchema):
    entity = fields.String(required=True, validate=validate.OneOf(ENTITIES))


class PlanCheckRecordSchema(RecordSchema):
    """"Checked, not heard" (issue 16): the observer went to a planned occurrence and heard no learning conversation."""

    plan_id = WholeNumber(required=True, metadata={"description": "A planned conversation of the school"})
    day = Day(required=True, metadata={"description": "The occurrence's day in the school's zone"})
    outcome = fields.String(required=True, validate=validate.OneOf(PLAN_CHECK_OUTCOMES), metadata={
        "description": "not_held: nobody met; cancelled: called off; not_learning: met, logistics only"})
    checked_at = OffsetDateTime(required=True)
    note = CleanString(load_default=None, allow_none=True, validate=validate.Length(max=NOTE_MAX_LENGTH))

    @post_load
    def blank_note(self, data, **_kwargs):
        data["note"] = blank_to_none(data["note"])
        return data


class ColistenRecordSchema(RecordSchema):
    """A co-listen session, made offline on the lead's phone: its code and the window logs may join it in."""

    code = fields.String(required=True, validate=validate.Regexp(
        COLISTEN_CODE, error="Must be 6 of " + COLISTEN_ALPHABET + "."))
    started_at = OffsetDateTime(required=True)
    expires_at = OffsetDateTime(required=True, latest=FUTURE_SLACK + MAX_COLISTEN, latest_words="36 hours")

    @validates_schema
    def window(self, data, **_kwargs):
        started, expires = data.get("started_at"), data.get("expires_at")
        if started and expires:
            if expires <= started:
                raise ValidationError("A co-listen must end after it starts.", "expires_at")
            if expires - started > MAX_COLISTEN:
                raise ValidationError("A co-listen lasts at most 12 hours.", "expires_at")


RECORD_SCHEMAS = {
    "walk": WalkRecordSchema,
    "observation": ObservationRecordSchema,
    "deletion": DeletionRecordSchema,
    "plan_check": PlanCheckRecordSchema,
    "colisten": ColistenRecordSchema,
}


DOCUMENTED_RECORDS = {
    "WalkRecord": WalkRecordSchema,
    "ObservationRecord": ObservationRecordSchema,
    "DeletionRecord": DeletionRecordSchema,
    "PlanCheckRecord": PlanCheckRecordSchema,
    "ColistenRecord": ColistenRecordSchema,
}


class SyncBatchSchema(StrictSchema):
    school_id = WholeNumber(required=True, metadata={"description": "The school the device captures for"})
    records = fields.List(
        fields.Raw(allow_none=True, metadata={
            "description": "Told apart by `type`",
            "oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in (
                "WalkRecord", "ObservationRecord", "DeletionRecord", "PlanCheckRecord", "ColistenRecord")],
        }),
        required=True,
        validate=validate.Length(max=MAX_RECORDS),
        metadata={"description": f"At most {MAX_RECORDS}, applied in order"},
    )


class ColistenLinkSchema(StrictSchema):
    """What became of a log's co-listen code: linked to its session, or why it stays an ordinary log."""

    status = fields.String(required=True, validate=validate.OneOf(COLISTEN_LINKS), metadata={
        "description": "linked; waiting (no co-listen of this school with this code has synced yet); "
                       "outside_window (this school's co-listen with this code did not cover the log's time)"})
    session_id = fields.UUID(allow_none=True)
    message = fields.String(required=True)


class SyncResultSchema(DictDumpSchema):
    id = fields.String(allow_none=True, metadata={"description": "The record's UUID as sent (null if it had none)"})
    type = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    version = fields.Integer(metadata={"description": "The server's version after this record"})
    current = fields.Dict(metadata={"description": "On conflict: the server's record, which the client keeps"})
    errors = fields.Dict(metadata={"description": "On invalid: messages per field"})
    colisten = fields.Nested(ColistenLinkSchema, metadata={"description": "A log sent with a co-listen code"})


class SyncResponseSchema(StrictSchema):
    results = fields.List(fields.Nested(SyncResultSchema), required=True)
    server_time = fields.AwareDateTime(format="iso", required=True)
