"""Calibration: the range asked for, and the agreement figures it answers with."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from marshmallow import ValidationError, fields, validate, validates_schema

from schemas.base import Day, StrictSchema
from schemas.coverage import Prepared

MAX_ID = 2**31 - 1
MAX_RANGE_DAYS = 5 * 366
FUTURE_SLACK = timedelta(days=1)


def _id(**kwargs) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class CalibrationArgsSchema(StrictSchema):
    """Co-listened conversations between two local days (the school's zone), rated with one rubric."""

    date_from = Day(metadata={"description": "First local day included"})
    date_to = Day(metadata={"description": "Last local day included"})
    rubric_id = _id(metadata={"description": "Default: the district's default rubric, else the seven traits"})

    @validates_schema
    def dates_make_sense(self, data, **kwargs):
        start, end = data.get("date_from"), data.get("date_to")
        latest = (datetime.now(timezone.utc) + FUTURE_SLACK).date()
        if start and start > latest:
            raise ValidationError("must not be in the future.", "date_from")
        if start and end and end < start:
            raise ValidationError("must be on or after the start date (From).", "date_to")
        if start and end and (end - start).days + 1 > MAX_RANGE_DAYS:
            raise ValidationError("makes a range of over five years: pick at most five years.", "date_to")


class DistrictCalibrationArgsSchema(CalibrationArgsSchema):
    school_id = fields.List(_id(), data_key="school_id", attribute="school_ids",
                            metadata={"description": "Only these schools of the district (repeat the parameter)"})


class FigureSchema(StrictSchema):
    n = fields.Integer(metadata={"description": "Conversations behind the figure"})
    value = fields.Float(allow_none=True, metadata={"description": "Null when undefined; `reason` says why"})
    interval_low = fields.Float(allow_none=True, metadata={"description": "Bootstrap 95 % interval (alpha only)"})
    interval_high = fields.Float(allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "Why the value is missing, in words"})


class TraitAgreementSchema(StrictSchema):
    trait_id = fields.Integer()
    key = fields.String()
    label = fields.String()
    exact_agreement = fields.Nested(FigureSchema, metadata={
        "description": "Share of co-listened conversations where every observer gave the same level"})
    alpha = fields.Nested(FigureSchema, metadata={
        "description": "Krippendorff's alpha, ordinal, any number of observers; percentile bootstrap 95 % interval "
                       "over conversations (1000 resamples, fixed seed)"})
    kappa = fields.Nested(FigureSchema, metadata={
        "description": "Cohen's kappa, quadratic weights, over conversations with exactly two observers "
                       "(the counted log against the other)"})
    apart_by_two = fields.Integer(metadata={"description": "Conversations where one heard it strong, another not at all"})
    reading = fields.String(metadata={"description": "reliable (alpha >= 0.8), tentative (>= 0.667), not yet, or unknown"})
    few = fields.Boolean(metadata={"description": "n is under the school's minimum: too few to read"})


class MonthTraitSchema(StrictSchema):
    trait_id = fields.Integer()
    exact_agreement = fields.Nested(FigureSchema)
    alpha = fields.Nested(FigureSchema)


class MonthSchema(StrictSchema):
    key = fields.String(metadata={"description": "YYYY-MM, the month of the conversation (school's zone)"})
    label = fields.String()
    conversations = fields.Integer()
    exact_agreement = fields.Nested(FigureSchema, metadata={"description": "All traits pooled"})
    traits = fields.List(fields.Nested(MonthTraitSchema))


class DriftTraitSchema(StrictSchema):
    trait_id = fields.Integer()
    conversations = fields.Integer()
    above = fields.Integer(metadata={"description": "Their level was above the mean of the others'"})
    below = fields.Integer(metadata={"description": "Their level was below the mean of the others'"})


class ObserverDriftSchema(StrictSchema):
    observer_id = fields.Integer()
    name = fields.String()
    is_self = fields.Boolean()
    conversations = fields.Integer()
    traits = fields.List(fields.Nested(DriftTraitSchema))


class SchoolAgreementSchema(StrictSchema):
    school_id = fields.Integer()
    name = fields.String()
    conversations = fields.Integer()
    traits = fields.List(fields.Nested(TraitAgreementSchema), metadata={"description": "Without intervals"})


class CalibrationSchema(StrictSchema):
    school_id = fields.Integer(allow_none=True, metadata={"description": "Null on the district's report"})
    rubric_id = fields.Integer()
    date_from = fields.Date(allow_none=True)
    date_to = fields.Date(allow_none=True)
    min_n = fields.Integer()
    conversations = fields.Integer(metadata={"description": "Co-listened conversations (two or more observers)"})
    thresholds = fields.Dict(keys=fields.String(), values=fields.Float(),
                             metadata={"description": "Alpha from which agreement reads reliable or tentative"})
    # The lists below come JSON-ready from the service (a district's 50 schools × 7 traits cost more to dump
    # through nested schemas than to read); tests/calibration checks them equal to their schemas' own dump.
    traits = Prepared(fields.Nested(TraitAgreementSchema))
    months = Prepared(fields.Nested(MonthSchema))
    splits = fields.List(fields.Integer(), metadata={"description": "Trait ids the team splits on most, worst first"})
    drift_scope = fields.String(metadata={"description": "all (principals, district admins), own (an observer) or none"})
    drift = fields.List(fields.Nested(ObserverDriftSchema), metadata={
        "description": "How often each observer rated above or below colleagues: calibration, not evaluation"})
    schools = Prepared(fields.Nested(SchoolAgreementSchema), metadata={"description": "District report only"})
