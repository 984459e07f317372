"""Coverage of planned conversations: the range asked for, and what the coverage page answers with.

A range is local days in the school's zone. Left out, it is the plans' term (the earliest first day
to the latest last day of their schedules). It may reach into the future (later occurrences show as
upcoming) but may not start there, and covers at most 400 days: a school year and a summer.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marshmallow import ValidationError, fields, validates_schema

from schemas.base import Day, StrictSchema

MAX_RANGE_DAYS = 400
FUTURE_SLACK = timedelta(days=1)  # "today" anywhere on earth
STATUSES = ("heard", "checked", "not_checked", "upcoming", "cancelled")
OUTCOMES = ("not_held", "cancelled", "not_learning")


class Prepared(fields.List):
    """A list the service has already made JSON-ready (ISO days and times, plain numbers): documented by its
    item schema, passed through as it is. A term's 1,400 occurrences would otherwise cost more to dump
    than to compute; tests/coverage checks the prepared list equals the item schema's own dump."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class CoverageArgsSchema(StrictSchema):
    start = Day(metadata={"description": "First local day (default: the plans' first term day)"})
    end = Day(metadata={"description": "Last local day, included (default: the plans' last term day)"})

    @validates_schema
    def range_makes_sense(self, data, **_kwargs):
        start, end = data.get("start"), data.get("end")
        latest = (datetime.now(timezone.utc) + FUTURE_SLACK).date()
        if start and start > latest:
            raise ValidationError("must not be in the future: nothing can have been checked yet.", "start")
        if start and end and end < start:
            raise ValidationError("must be on or after the start day.", "end")
        if start and end and (end - start).days + 1 > MAX_RANGE_DAYS:
            raise ValidationError(f"makes a range of {(end - start).days + 1} days: pick at most {MAX_RANGE_DAYS} "
                                  "(one school year).", "end")


class CoverageShareSchema(StrictSchema):
    n = fields.Integer(metadata={"description": "The denominator"})
    count = fields.Integer(metadata={"description": "The numerator"})
    share = fields.Float(allow_none=True, metadata={"description": "count / n; null when n is 0"})
    interval_low = fields.Float(allow_none=True, metadata={"description": "95 % Wilson interval"})
    interval_high = fields.Float(allow_none=True)
    few = fields.Boolean(metadata={"description": "n is under the school's minimum: too few to read"})


class CoverageOccurrenceSchema(StrictSchema):
    day = fields.Date(metadata={"description": "Local day in the school's zone"})
    local_start = fields.AwareDateTime(allow_none=True, metadata={"description": "null for a cancelled day"})
    status = fields.String(metadata={"enum": list(STATUSES), "description": (
        "heard: a log is linked to it; checked: someone went and did not hear it (see outcome); not_checked: "
        "it has passed with no record; upcoming: not started yet; cancelled: taken off the schedule")})
    outcome = fields.String(allow_none=True, metadata={"enum": list(OUTCOMES)})
    logs = fields.Integer(metadata={"description": "Logs linked to this occurrence"})


class CoverageTraitShareSchema(CoverageShareSchema):
    key = fields.String()
    label = fields.String()
    focus = fields.Boolean(metadata={"description": "One of the plan's focus traits"})
    strong = fields.Integer()


class CoverageFollowUpsSchema(StrictSchema):
    opened = fields.Integer()
    done = fields.Integer()
    dropped = fields.Integer()
    open = fields.Integer()
    overdue = fields.Integer()
    changed_practice = fields.Nested(CoverageShareSchema, metadata={"description": "Of those done with an answer"})


class PlanCoverageSchema(StrictSchema):
    plan_id = fields.Integer()
    name = fields.String()
    removed = fields.Boolean(metadata={"description": "Deleted from the plan: only its occurrences before then "
                                                      "are listed (and counted); shown while the range has any"})
    kind = fields.String()
    place = fields.String(allow_none=True)
    focus_traits = fields.List(fields.String())
    past = fields.Integer(metadata={"description": "n: occurrences that have started (or have a record)"})
    checked = fields.Nested(CoverageShareSchema, metadata={"description": "k of n: occurrences with a log or a check"})
    happened = fields.Nested(CoverageShareSchema, metadata={"description": "j of k: checked occurrences heard"})
    not_held = fields.Integer()
    cancelled_on_the_day = fields.Integer(metadata={"description": "Checked: called off on the day"})
    not_learning = fields.Integer(metadata={"description": "Checked: met, but logistics only"})
    upcoming = fields.Integer()
    cancelled = fields.Integer(metadata={"description": "Days taken off the schedule in advance"})
    logs = fields.Integer(metadata={"description": "Logs linked to its occurrences in the range"})
    traits = fields.List(fields.Nested(CoverageTraitShareSchema), metadata={
        "description": "Share of its logs in which each trait (default rubric) was heard"})
    follow_ups = fields.Nested(CoverageFollowUpsSchema)
    occurrences = fields.List(fields.Nested(CoverageOccurrenceSchema))


class CoverageTotalsSchema(StrictSchema):
    plans = fields.Integer()
    past = fields.Integer()
    checked = fields.Nested(CoverageShareSchema)
    happened = fields.Nested(CoverageShareSchema)
    never_checked = fields.Integer(metadata={"description": "Plans with past occurrences, none checked"})


class CoverageSchema(StrictSchema):
    school_id = fields.Integer()
    timezone = fields.String()
    start = fields.Date()
    end = fields.Date()
    as_of = fields.AwareDateTime(format="iso")
    min_n = fields.Integer(metadata={"description": "Shares with a smaller n are marked too few to read"})
    weeks = fields.List(fields.Date(), metadata={"description": "The Mondays of the weeks in the range"})
    totals = fields.Nested(CoverageTotalsSchema)
    plans = Prepared(fields.Nested(PlanCoverageSchema))
