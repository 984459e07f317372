"""Follow-ups: the sync record the app sends (created, completed and snoozed offline), and what it reads.

A follow-up names its owner (a colleague who can log in the school) and is due at a moment given
with the device's offset. Completing it records the outcome: did practice change, a short note of what changed and how it was
seen, and optionally a later conversation that shows it. A follow-up may ask for a re-listen.
"""
from __future__ import annotations

from datetime import timedelta

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from schemas.base import CleanString, StrictSchema
from schemas.observations import Cursor, OwnRecordsQueryArgsSchema
from schemas.sync import MAX_ID, JsonBoolean, OffsetDateTime, RecordSchema, WholeNumber, blank_to_none

ACTION_MAX_LENGTH = 280
OUTCOME_MAX_LENGTH = 280
STATUSES = ("open", "done", "dropped")
LATEST_DUE = timedelta(days=2 * 366)


def due_moment(**kwargs) -> OffsetDateTime:
    """A due or snooze moment: ISO 8601 with an offset, from 2000 up to two years ahead."""
    return OffsetDateTime(latest=LATEST_DUE, latest_words="two years", **kwargs)


class FollowUpRecordSchema(RecordSchema):
    """`{"type": "follow_up", …}` in a sync batch: the whole follow-up as the device holds it."""

    type = fields.String(required=True, validate=validate.Equal("follow_up"))
    observation_id = fields.UUID(load_default=None, allow_none=True,
                                 metadata={"description": "The observation it came from (this school's), or null"})
    owner_id = WholeNumber(required=True, metadata={"description": "Who will do it: a user who can log in the school"})
    action = CleanString(required=True, validate=validate.Length(min=1, max=ACTION_MAX_LENGTH))
    due_at = due_moment(required=True)
    status = fields.String(load_default="open", validate=validate.OneOf(STATUSES))
    snoozed_until = due_moment(load_default=None, allow_none=True,
                                metadata={"description": "Remind at this moment instead of due_at (after due_at)"})
    changed_practice = JsonBoolean(load_default=None, allow_none=True,
                                   metadata={"description": "When done: did the conversation lead to a change in practice?"})
    outcome_note = CleanString(load_default=None, allow_none=True, validate=validate.Length(max=OUTCOME_MAX_LENGTH),
                               metadata={"description": "When done: short evidence of the change, no names"})
    completed_at = OffsetDateTime(load_default=None, allow_none=True,
                                  metadata={"description": "When done or dropped: the moment, with the device's offset"})
    # Added after the first release: left out (older apps) keeps what the server holds.
    evidence_observation_id = fields.UUID(allow_none=True, metadata={
        "description": "When done: a later conversation of this school (after the one the follow-up came from) that "
                       "shows the change, or null. Left out: unchanged."})
    relisten = JsonBoolean(metadata={
        "description": "Remind the owner, when it falls due, to listen again where it started. Left out: unchanged."})

    @validates_schema
    def outcome_matches_status(self, data, **_kwargs):
        status = data.get("status", "open")
        if not (data.get("action") or "").strip():
            raise ValidationError("Say what is to be done.", "action")
        if status == "open":
            for name in ("changed_practice", "outcome_note", "completed_at"):
                if data.get(name) is not None:
                    raise ValidationError("Only a done or dropped follow-up has an outcome.", name)
        else:
            if data.get("completed_at") is None:
                raise ValidationError("Give the moment it was closed.", "completed_at")
            if status == "done" and data.get("changed_practice") is None:
                raise ValidationError("Record whether practice changed (true or false).", "changed_practice")
            if status == "dropped" and data.get("changed_practice") is not None:
                raise ValidationError("A dropped follow-up has no outcome.", "changed_practice")
        if data.get("evidence_observation_id") is not None:
            if status != "done":
                raise ValidationError("Only a done follow-up links a later conversation as evidence.", "evidence_observation_id")
            if data.get("observation_id") is None:
                raise ValidationError("Only a follow-up from a logged conversation can link a later one.",
                                      "evidence_observation_id")
            if data["evidence_observation_id"] == data["observation_id"]:
                raise ValidationError("Link a later conversation, not the one it came from.", "evidence_observation_id")
        due, snoozed = data.get("due_at"), data.get("snoozed_until")
        if due and snoozed and snoozed <= due:
            raise ValidationError("Snooze to a moment after the due time (or change the due time).", "snoozed_until")

    @post_load
    def fill_in(self, data, **_kwargs):
        data["outcome_note"] = blank_to_none(data["outcome_note"])
        return data


class FollowUpSchema(StrictSchema):
    """A follow-up as the server holds it: the record's shape plus server fields (times in UTC)."""

    type = fields.Constant("follow_up", dump_only=True)
    id = fields.UUID(dump_only=True)
    version = fields.Integer(dump_only=True)
    school_id = fields.Integer(dump_only=True)
    observation_id = fields.UUID(dump_only=True, allow_none=True)
    owner_id = fields.Integer(dump_only=True, allow_none=True)
    created_by_id = fields.Integer(dump_only=True, allow_none=True)
    action = fields.String(dump_only=True)
    due_at = fields.DateTime(format="iso", dump_only=True)
    status = fields.String(dump_only=True)
    snoozed_until = fields.DateTime(format="iso", dump_only=True, allow_none=True)
    changed_practice = fields.Boolean(dump_only=True, allow_none=True)
    outcome_note = fields.String(dump_only=True, allow_none=True)
    completed_at = fields.DateTime(format="iso", dump_only=True, allow_none=True)
    evidence_observation_id = fields.UUID(dump_only=True, allow_none=True,
                                          metadata={"description": "A later conversation that shows the change"})
    relisten = fields.Boolean(dump_only=True, metadata={"description": "Remind, when due, to listen again where it started"})
    deleted_at = fields.DateTime(format="iso", dump_only=True, allow_none=True)
    updated_at = fields.DateTime(format="iso", dump_only=True)


class FollowUpQueryArgsSchema(OwnRecordsQueryArgsSchema):
    """The follow-ups the signed-in user owns or created in one school, tombstones included."""


class FollowUpPageSchema(StrictSchema):
    items = fields.List(fields.Nested(FollowUpSchema), required=True)
    next_cursor = Cursor(required=True, metadata={"description": "Pass as `since` next time (always given)"})
    has_more = fields.Boolean(required=True)


class SchoolArgsSchema(StrictSchema):
    school_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))


class FollowUpOwnerSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)


class FollowUpOwnerListSchema(StrictSchema):
    items = fields.List(fields.Nested(FollowUpOwnerSchema), dump_only=True)


class ShareSchema(StrictSchema):
    """Follow-ups done with an answer to "did practice change?", and how many said yes (dropped ones are not counted)."""

    n = fields.Integer(dump_only=True, metadata={"description": "Follow-ups done with an answer"})
    changed = fields.Integer(dump_only=True, metadata={"description": "Of them, done with changed_practice true"})
    share = fields.Float(dump_only=True, allow_none=True, metadata={"description": "changed / n (null when n = 0)"})
    low = fields.Float(dump_only=True, allow_none=True, metadata={"description": "95% Wilson interval, lower bound"})
    high = fields.Float(dump_only=True, allow_none=True, metadata={"description": "95% Wilson interval, upper bound"})


class TraitShareSchema(ShareSchema):
    trait_id = fields.Integer(dump_only=True)
    trait_key = fields.String(dump_only=True)
    label = fields.String(dump_only=True)
    rubric_id = fields.Integer(dump_only=True)


class SettingShareSchema(ShareSchema):
    setting = fields.String(dump_only=True, allow_none=True,
                            metadata={"description": "informal, formal, or null (standalone or setting not logged)"})


class FollowUpSummarySchema(StrictSchema):
    school_id = fields.Integer(dump_only=True)
    as_of = fields.AwareDateTime(format="iso", dump_only=True)
    open = fields.Integer(dump_only=True)
    overdue = fields.Integer(dump_only=True, metadata={"description": "Open and past due (or past the snooze)"})
    due_soon = fields.Integer(dump_only=True, metadata={"description": "Open and due within the next 7 days"})
    done = fields.Integer(dump_only=True)
    dropped = fields.Integer(dump_only=True)
    changed_practice = fields.Nested(ShareSchema, dump_only=True)
    by_trait = fields.List(fields.Nested(TraitShareSchema), dump_only=True,
                           metadata={"description": "Answered follow-ups whose observation heard the trait (level 1 or 2)"})
    by_setting = fields.List(fields.Nested(SettingShareSchema), dump_only=True)


class LaterLogArgsSchema(StrictSchema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50),
                           metadata={"description": "How many to list (1–50)"})


class LaterLogSchema(StrictSchema):
    """A conversation heard after the one a follow-up came from, that may be linked as evidence of change."""

    id = fields.UUID(dump_only=True)
    observed_at = fields.DateTime(format="iso", dump_only=True)
    location_id = fields.Integer(dump_only=True)
    place = fields.String(dump_only=True, allow_none=True, metadata={"description": "The place's name"})
    team = fields.String(dump_only=True, allow_none=True)
    setting = fields.String(dump_only=True, allow_none=True)
    same_place = fields.Boolean(dump_only=True, metadata={"description": "Heard where the follow-up's conversation was"})
    same_team = fields.Boolean(dump_only=True, metadata={"description": "The same team as the follow-up's conversation"})
    mine = fields.Boolean(dump_only=True, metadata={"description": "Logged by the signed-in user"})


class LaterLogSourceSchema(StrictSchema):
    """The conversation the follow-up came from: logs must be heard after it."""

    observed_at = fields.DateTime(format="iso", dump_only=True)
    location_id = fields.Integer(dump_only=True)
    team = fields.String(dump_only=True, allow_none=True)


class LaterLogListSchema(StrictSchema):
    source = fields.Nested(LaterLogSourceSchema, required=True, allow_none=True,
                           metadata={"description": "Null when the follow-up came from no (live) log: nothing to link"})
    items = fields.List(fields.Nested(LaterLogSchema), required=True,
                        metadata={"description": "Same place or team first, then the rest; newest first within each"})
