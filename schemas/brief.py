"""The meeting brief: which period, which version, which paper; and the figures it answers with."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marshmallow import ValidationError, fields, validate, validates_schema

from schemas.base import Day, StrictSchema
from schemas.heatmaps import HeatmapSchema

MAX_RANGE_DAYS = 366        # a brief is for a meeting: at most a school year, compared with the year before
FUTURE_SLACK = timedelta(days=1)  # "today" anywhere on earth
VERSIONS = ("leadership", "staff")
PAPERS = ("a4", "letter")
MAX_ID = 2**31 - 1


class BriefArgsSchema(StrictSchema):
    """Left out, the period runs from the day after the last brief's period (or two weeks back) to today."""

    start = Day(metadata={"description": "First local day of the period (the school's zone)"})
    end = Day(metadata={"description": "Last local day of the period; default today"})
    version = fields.String(validate=validate.OneOf(VERSIONS), metadata={
        "description": "leadership (principals and district admins; the default for them) or staff: school-wide "
                       "patterns only, no observers, notes or cells under the minimum n (the only one for others)"})
    paper = fields.String(load_default="a4", validate=validate.OneOf(PAPERS),
                          metadata={"description": "The PDF's paper: A4 or US Letter, portrait"})
    rubric_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))

    @validates_schema
    def period_makes_sense(self, data, **kwargs):
        start, end = data.get("start"), data.get("end")
        latest = (datetime.now(timezone.utc) + FUTURE_SLACK).date()
        today = latest - FUTURE_SLACK
        if start and start > latest:
            raise ValidationError(f"is in the future: a brief covers days that have happened (today is {today:%Y-%m-%d}).",
                                  "start")
        if end and end > latest:
            raise ValidationError(f"is in the future: pick today ({today:%Y-%m-%d}) or an earlier day.", "end")
        if start and end and end < start:
            raise ValidationError("is before the start date: pick an end on or after the start.", "end")
        last = end or today
        if start and (last - start).days + 1 > MAX_RANGE_DAYS:
            years = f"{((last - start).days + 1) / 365.25:.1f}".removesuffix(".0")
            raise ValidationError(f"makes a period of {years} years: a brief covers at most a year "
                                  f"({MAX_RANGE_DAYS} days).", "end" if end else "start")


class BriefNumbersSchema(StrictSchema):
    conversations = fields.Integer()
    hours = fields.Float(metadata={"description": "Hours of listening (walks)"})
    rate = fields.Float(allow_none=True, metadata={"description": "Conversations heard on walks per hour of listening"})
    rate_low = fields.Float(allow_none=True)
    rate_high = fields.Float(allow_none=True)
    schools = fields.Integer(allow_none=True, metadata={"description": "District brief: schools compared"})
    schools_with_data = fields.Integer(allow_none=True)


class BriefChangeSchema(StrictSchema):
    subject = fields.String(metadata={"description": "A trait, or 'Conversations per hour'"})
    school = fields.String(allow_none=True)
    kind = fields.String(metadata={"description": "share (difference in points) or rate (ratio)"})
    before = fields.Float(allow_none=True)
    after = fields.Float(allow_none=True)
    n_before = fields.Float(metadata={"description": "Conversations (shares) or hours of listening (rates)"})
    n_after = fields.Float()
    estimate = fields.Float(allow_none=True)
    interval_low = fields.Float(allow_none=True)
    interval_high = fields.Float(allow_none=True)
    clear = fields.Boolean(metadata={"description": "The 95 % interval leaves out 'no change'"})
    direction = fields.String(allow_none=True, metadata={"description": "rose, fell, or null: no clear change"})
    words = fields.String()


class BriefQuietSchema(StrictSchema):
    place = fields.String()
    period = fields.String()
    rate = fields.Float()
    hours = fields.Float()


class BriefRareSchema(StrictSchema):
    trait = fields.String()
    where = fields.String()
    share = fields.Float()
    n = fields.Integer()
    interval_low = fields.Float()
    interval_high = fields.Float()


class BriefShareSchema(StrictSchema):
    n = fields.Integer()
    changed = fields.Integer()
    share = fields.Float(allow_none=True)
    interval_low = fields.Float(allow_none=True)
    interval_high = fields.Float(allow_none=True)
    few = fields.Boolean()


class BriefResultsSchema(StrictSchema):
    label = fields.String()
    start = fields.Date()
    end = fields.Date()
    opened = fields.Integer()
    closed_on_time = fields.Integer()
    closed_late = fields.Integer()
    dropped = fields.Integer()
    open = fields.Integer()
    overdue = fields.Integer()
    changed_practice = fields.Nested(BriefShareSchema)


class BriefQuestionSchema(StrictSchema):
    finding = fields.String(metadata={"description": "The number behind the question"})
    prompt = fields.String()
    source = fields.String(metadata={"description": "The brief's table the number comes from"})


class BriefSectionSchema(StrictSchema):
    key = fields.String()
    title = fields.String()
    lines = fields.List(fields.String())
    columns = fields.List(fields.String())
    rows = fields.List(fields.List(fields.String()))


class BriefObserverSchema(StrictSchema):
    name = fields.String()
    walks = fields.Integer()
    hours = fields.Float()
    conversations = fields.Integer()


class BriefNoteSchema(StrictSchema):
    day = fields.Date()
    changed_practice = fields.Boolean(allow_none=True)
    action = fields.String()
    note = fields.String()


class BriefSchoolRowSchema(StrictSchema):
    school_id = fields.Integer()
    name = fields.String()
    numbers = fields.Nested(BriefNumbersSchema)
    results = fields.Nested(BriefResultsSchema)
    question = fields.Nested(BriefQuestionSchema, allow_none=True)


class BriefSchema(StrictSchema):
    school_id = fields.Integer(allow_none=True)
    district_id = fields.Integer()
    version = fields.String()
    start = fields.Date()
    end = fields.Date()
    previous_start = fields.Date()
    previous_end = fields.Date()
    period_reason = fields.String(metadata={"description": "Why this period: chosen, since the last brief, or two weeks"})
    generated_at = fields.AwareDateTime(format="iso")
    min_n = fields.Integer()
    numbers = fields.Nested(BriefNumbersSchema)
    changes = fields.List(fields.Nested(BriefChangeSchema))
    quiet = fields.List(fields.Nested(BriefQuietSchema))
    little_listening = fields.List(fields.String(), metadata={"description": "Periods with too little listening to read"})
    rare = fields.List(fields.Nested(BriefRareSchema))
    results = fields.List(fields.Nested(BriefResultsSchema))
    questions = fields.List(fields.Nested(BriefQuestionSchema))
    sections = fields.List(fields.Nested(BriefSectionSchema), metadata={
        "description": "Sections other features add when they have data (coverage of plans, calibration)"})
    tables = fields.Dict(keys=fields.String(), values=fields.Nested(HeatmapSchema))
    observers = fields.List(fields.Nested(BriefObserverSchema), metadata={"description": "Leadership version only"})
    notes = fields.List(fields.Nested(BriefNoteSchema), metadata={"description": "Leadership version only"})
    schools = fields.List(fields.Nested(BriefSchoolRowSchema), metadata={"description": "District brief only"})
