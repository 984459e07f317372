"""Heatmap filters (query strings, shared by the JSON API and the dashboard pages) and the table they answer with."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import CleanString, Day, DictDumpSchema, StrictSchema

SETTINGS = ("informal", "formal")
CONVERSATION_KINDS = (
    "hallway_chat", "lounge", "lunch", "before_after_school", "parking_lot", "plc", "data_team",
    "grade_department_meeting", "post_observation_conference", "learning_walk_debrief", "coaching_session",
    "planning_session",
)
PLANNED = ("planned", "unplanned")
MAX_ID = 2**31 - 1


def _id(**kwargs) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class HeatmapFilterArgsSchema(StrictSchema):
    """Filters every view takes. Left out, a filter means everything."""

    date_from = Day(metadata={"description": "First local day included (the school's zone)"})
    date_to = Day(metadata={"description": "Last local day included"})
    setting = fields.String(validate=validate.OneOf(SETTINGS))
    conversation_kind = fields.String(validate=validate.OneOf(CONVERSATION_KINDS))
    team = CleanString(validate=validate.Length(min=1, max=60), metadata={"description": "Team or grade, as logged"})
    planned = fields.String(validate=validate.OneOf(PLANNED), metadata={
        "description": "planned: conversations logged at a planned occurrence (linked to a plan); unplanned: the rest"})
    rubric_id = _id(metadata={"description": "Default: the district's default rubric, else the seven traits"})


class SchoolFilterArgsSchema(HeatmapFilterArgsSchema):
    observer_id = _id(metadata={"description": "One observer's walks and conversations (principals and district admins)"})


class FrequencyArgsSchema(SchoolFilterArgsSchema):
    rows = fields.String(load_default="place", validate=validate.OneOf(("place", "place_kind")))
    columns = fields.String(load_default="period", validate=validate.OneOf(("period", "weekday")))
    measure = fields.String(load_default="rate", validate=validate.OneOf(("rate", "count")),
                            metadata={"description": "rate: per hour of listening; count: raw counts"})


class QualityArgsSchema(SchoolFilterArgsSchema):
    by = fields.String(load_default="kind",
                       validate=validate.OneOf(("place", "place_kind", "setting", "kind", "team", "planned", "week")))
    measure = fields.String(load_default="heard", validate=validate.OneOf(("heard", "strong", "mean")))


class TrendsArgsSchema(SchoolFilterArgsSchema):
    pass


class DistrictArgsSchema(HeatmapFilterArgsSchema):
    school_id = fields.List(_id(), data_key="school_id", attribute="school_ids",
                            metadata={"description": "Only these schools of the district (repeat the parameter)"})


class DistrictQualityArgsSchema(DistrictArgsSchema):
    measure = fields.String(load_default="heard", validate=validate.OneOf(("heard", "strong", "mean")))


class DistrictFrequencyArgsSchema(DistrictArgsSchema):
    measure = fields.String(load_default="rate", validate=validate.OneOf(("rate", "count")))


class CellSchema(DictDumpSchema):
    column = fields.String(metadata={"description": "The column's key"})
    n = fields.Integer(metadata={"description": "Conversations behind the number (for rates: those heard on walks)"})
    value = fields.Float(allow_none=True, metadata={"description": "What the cell shows; null when empty"})
    empty = fields.Boolean(metadata={"description": "Nothing heard and nobody listened: not the same as zero"})
    few = fields.Boolean(metadata={"description": "n is under the school's minimum: too few to read"})
    step = fields.Integer(allow_none=True, metadata={"description": "Colour step 0-6 of the sequential scale"})
    heard = fields.Integer(allow_none=True)
    strong = fields.Integer(allow_none=True)
    strong_share = fields.Float(allow_none=True)
    mean_level = fields.Float(allow_none=True)
    interval_low = fields.Float(allow_none=True, metadata={
        "description": "95 % interval: Wilson for a share, exact Poisson (Garwood) for a rate per hour"})
    interval_high = fields.Float(allow_none=True)
    conversations = fields.Integer(allow_none=True)
    walked = fields.Integer(allow_none=True)
    hours = fields.Float(allow_none=True, metadata={"description": "Hours of listening (walks) behind a rate"})
    fallback = fields.Boolean(metadata={"description": "No walk time here: value is a raw count, not a rate"})
    thin = fields.Boolean(metadata={"description": "A rate with under min_hours of listening, or a 95 % interval more "
                                                  "than twice the rate wide: too little listening to read, not coloured"})


class AxisSchema(DictDumpSchema):
    key = fields.String()
    label = fields.String()
    total = fields.Boolean()
    n = fields.Integer(allow_none=True, metadata={"description": "Conversations in this column, where given"})


class RowSchema(AxisSchema):
    cells = fields.List(fields.Nested(CellSchema))


class LegendStepSchema(DictDumpSchema):
    step = fields.Integer()
    label = fields.String()


class HeatmapSchema(DictDumpSchema):
    view = fields.String()
    caption = fields.String()
    row_title = fields.String()
    measure = fields.String()
    min_n = fields.Integer(metadata={"description": "Cells with a smaller n are marked too few to read"})
    source = fields.String(metadata={"description": "rollup or raw: where the numbers were read"})
    notes = fields.List(fields.String())
    min_hours = fields.Float(allow_none=True, metadata={"description": "Rates: less listening than this is too thin"})
    rate_filter = fields.String(allow_none=True, metadata={
        "description": "Rates under a setting, kind or team filter: the conversations counted (over all listening)"})
    scale_max = fields.Float(metadata={"description": "Top of the colour scale, from readable cells only"})
    scale_capped = fields.Boolean(metadata={"description": "Some cells lie above scale_max: the darkest step is 'at least'"})
    legend = fields.List(fields.Nested(LegendStepSchema))
    columns = fields.List(fields.Nested(AxisSchema))
    rows = fields.List(fields.Nested(RowSchema))
