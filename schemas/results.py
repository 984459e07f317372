"""The Results page's filters (the dashboard's, with limits on the dates) and what it answers with."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marshmallow import ValidationError, fields, validates_schema

from schemas.base import StrictSchema
from schemas.heatmaps import SchoolFilterArgsSchema

MAX_RANGE_DAYS = 5 * 366  # five school years is plenty to compare; a longer range is a typo
FUTURE_SLACK = timedelta(days=1)  # "today" anywhere on earth


class ResultsArgsSchema(SchoolFilterArgsSchema):
    """Follow-ups opened between date_from and date_to (local days), of conversations matching the filters."""

    @validates_schema
    def dates_make_sense(self, data, **kwargs):
        start, end = data.get("date_from"), data.get("date_to")
        latest = (datetime.now(timezone.utc) + FUTURE_SLACK).date()
        if start and start > latest:
            raise ValidationError(f"must not be in the future: no follow-up can have been opened after today "
                                  f"({latest - FUTURE_SLACK:%Y-%m-%d}).", "date_from")
        if start and end and end < start:
            raise ValidationError("must be on or after the start date (From).", "date_to")
        if start and end and (end - start).days + 1 > MAX_RANGE_DAYS:
            years = f"{((end - start).days + 1) / 365.25:.1f}".removesuffix(".0")
            raise ValidationError(f"makes a range of {years} years: pick at most five years.", "date_to")
        if start and not end and (latest - FUTURE_SLACK - start).days + 1 > MAX_RANGE_DAYS:
            raise ValidationError("makes a range of over five years up to today: pick a later start date or an end "
                                  "date.", "date_from")


class ResultsShareSchema(StrictSchema):
    n = fields.Integer(metadata={"description": "Follow-ups done with an answer to 'did practice change?'"})
    changed = fields.Integer(metadata={"description": "Of those, how many changed practice"})
    share = fields.Float(allow_none=True, metadata={"description": "changed / n; null when n is 0"})
    interval_low = fields.Float(allow_none=True, metadata={"description": "95 % Wilson interval of the share"})
    interval_high = fields.Float(allow_none=True)
    few = fields.Boolean(metadata={"description": "n is under the school's minimum: too few to read"})


class ResultsTallySchema(StrictSchema):
    opened = fields.Integer()
    closed_on_time = fields.Integer(metadata={"description": "Done on or before the due date (school's local days)"})
    closed_late = fields.Integer(metadata={"description": "Done after the due date"})
    dropped = fields.Integer()
    open = fields.Integer()
    overdue = fields.Integer(metadata={"description": "Open and past the due date (or the snooze)"})
    changed_practice = fields.Nested(ResultsShareSchema)


class ResultsGroupSchema(ResultsTallySchema):
    key = fields.String()
    label = fields.String()


class ResultsBreakdownSchema(StrictSchema):
    name = fields.String(metadata={"description": "trait, setting, kind, team or plan (the planned conversation it was heard at; "
                                                  "no groups when none was)"})
    title = fields.String()
    groups = fields.List(fields.Nested(ResultsGroupSchema))


class HeardAgainTraitSchema(StrictSchema):
    trait_id = fields.Integer()
    label = fields.String()
    n = fields.Integer(metadata={"description": "Before/after pairs with a level for this trait"})
    heard_before = fields.Integer(metadata={"description": "Pairs whose first conversation heard it (level 1 or 2)"})
    heard_after = fields.Integer(metadata={"description": "Pairs whose later conversation heard it"})
    stronger = fields.Integer(metadata={"description": "Pairs with a higher level after than before"})
    same = fields.Integer()
    weaker = fields.Integer()
    few = fields.Boolean(metadata={"description": "n is under the school's minimum: too few to read"})


class HeardAgainSchema(StrictSchema):
    pairs = fields.Integer(metadata={"description": "Follow-ups closed with a later conversation linked as evidence"})
    traits = fields.List(fields.Nested(HeardAgainTraitSchema))


class ResultsSchema(StrictSchema):
    school_id = fields.Integer()
    as_of = fields.AwareDateTime(format="iso")
    date_from = fields.Date(allow_none=True)
    date_to = fields.Date(allow_none=True)
    min_n = fields.Integer(metadata={"description": "Shares with a smaller n are marked too few to read"})
    totals = fields.Nested(ResultsTallySchema)
    breakdowns = fields.List(fields.Nested(ResultsBreakdownSchema),
                             metadata={"description": "Follow-ups of logged conversations, grouped by what was heard"})
    months = fields.List(fields.Nested(ResultsGroupSchema),
                         metadata={"description": "By the month the follow-up was opened (key YYYY-MM, school's zone)"})
    heard_again = fields.Nested(HeardAgainSchema, metadata={
        "description": "Follow-ups linked to a later conversation: each trait in the first conversation and the later one"})
