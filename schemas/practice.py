"""Practice on written scenarios: what an author writes, what a learner sees before and after answering."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import AwareDateTime, CleanString, Moment, PatchSchema, StrictSchema

MAX_ID = 2**31 - 1
SETTINGS = ("informal", "formal")
LEVEL = validate.Range(min=0, max=2)
TRAIT_KEY = fields.String(validate=validate.Length(min=1, max=40))
COLLEAGUES_NEEDED = 5


class ScenarioLineSchema(StrictSchema):
    """One turn of the conversation: who speaks (a role, never a real name) and what they say."""

    speaker = CleanString(required=True, validate=validate.Length(min=1, max=40),
                          metadata={"description": "A role such as 'Teacher A' or 'Coach', never a real name"})
    text = CleanString(required=True, validate=validate.Length(min=1, max=400))


class ScenarioReferenceLevelSchema(StrictSchema):
    level = fields.Integer(required=True, strict=True, validate=LEVEL, metadata={"description": "0 not heard, 1 heard, 2 strong"})
    why = CleanString(required=True, validate=validate.Length(min=1, max=240),
                      metadata={"description": "One sentence on why this level"})


def lines_field(**kwargs):
    return fields.List(fields.Nested(ScenarioLineSchema), validate=validate.Length(min=4, max=10), **kwargs)


def reference_field(**kwargs):
    return fields.Dict(keys=TRAIT_KEY, values=fields.Nested(ScenarioReferenceLevelSchema),
                       metadata={"description": "A level and why for every trait of the rubric, by trait key"}, **kwargs)


class ScenarioCreateSchema(StrictSchema):
    school_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    rubric_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    title = CleanString(required=True, validate=validate.Length(min=1, max=120))
    setting = fields.String(required=True, validate=validate.OneOf(SETTINGS))
    lines = lines_field(required=True)
    reference = reference_field(required=True)


class ScenarioPatchSchema(PatchSchema):
    """Any of the fields; the reference, when sent, is the whole reference again."""

    title = CleanString(validate=validate.Length(min=1, max=120))
    setting = fields.String(validate=validate.OneOf(SETTINGS))
    lines = lines_field()
    reference = reference_field()


class PracticeQueryArgsSchema(StrictSchema):
    school_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))


class ColleagueLevelCountsSchema(StrictSchema):
    not_heard = fields.Integer(dump_only=True)
    heard = fields.Integer(dump_only=True)
    strong = fields.Integer(dump_only=True)


class PracticeTraitResultSchema(StrictSchema):
    key = fields.String(dump_only=True)
    label = fields.String(dump_only=True)
    your_level = fields.Integer(dump_only=True)
    reference_level = fields.Integer(dump_only=True)
    why = fields.String(dump_only=True)
    agrees = fields.Boolean(dump_only=True)
    colleagues = fields.Nested(ColleagueLevelCountsSchema, dump_only=True, allow_none=True, metadata={
        "description": f"How colleagues rated this trait, once at least {COLLEAGUES_NEEDED} have answered; never by name"})


class PracticeResultSchema(StrictSchema):
    answer_id = fields.UUID(dump_only=True)
    answered_at = AwareDateTime(dump_only=True)
    agreed = fields.Integer(dump_only=True, metadata={"description": "Traits where your level matched the reference"})
    traits = fields.List(fields.Nested(PracticeTraitResultSchema), dump_only=True)
    colleagues_answered = fields.Integer(dump_only=True, allow_none=True, metadata={
        "description": f"Colleagues who answered, once at least {COLLEAGUES_NEEDED} have (else null)"})


class ScenarioSchema(StrictSchema):
    """A scenario as a learner sees it: the reference only in `result`, once they have answered."""

    id = fields.Integer(dump_only=True)
    school_id = fields.Integer(dump_only=True)
    rubric_id = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True)
    setting = fields.String(dump_only=True)
    lines = fields.List(fields.Nested(ScenarioLineSchema), dump_only=True)
    result = fields.Nested(PracticeResultSchema, dump_only=True, allow_none=True)


class ScenarioAuthoringSchema(StrictSchema):
    """A scenario as its authors edit it, reference included."""

    id = fields.Integer(dump_only=True)
    school_id = fields.Integer(dump_only=True)
    rubric_id = fields.Integer(dump_only=True)
    author_id = fields.Integer(dump_only=True, allow_none=True)
    title = fields.String(dump_only=True)
    setting = fields.String(dump_only=True)
    lines = fields.List(fields.Nested(ScenarioLineSchema), dump_only=True)
    reference = fields.Dict(keys=fields.String(), values=fields.Nested(ScenarioReferenceLevelSchema), dump_only=True)
    updated_at = AwareDateTime(dump_only=True)


class ScenarioKeySchema(StrictSchema):
    """A scenario's reference for the phone to reveal offline, once its person has answered there."""

    id = fields.Integer(dump_only=True)
    reference = fields.Dict(keys=fields.String(), values=fields.Nested(ScenarioReferenceLevelSchema), dump_only=True)


class PracticeAnswerCreateSchema(StrictSchema):
    id = fields.UUID(required=True, metadata={"description": "Made by the phone, so a re-sent answer is stored once"})
    scenario_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    levels = fields.Dict(keys=TRAIT_KEY, values=fields.Integer(strict=True, validate=LEVEL), required=True, metadata={
        "description": "Level per trait key; a trait left out was not heard (0), as on the capture screen"})
    answered_at = Moment(required=True)


class PracticeTraitAgreementSchema(StrictSchema):
    key = fields.String(dump_only=True)
    label = fields.String(dump_only=True)
    agreed = fields.Integer(dump_only=True)
    answered = fields.Integer(dump_only=True)


class PracticeHistoryMonthSchema(StrictSchema):
    month = fields.String(dump_only=True, metadata={"description": "YYYY-MM in the school's time zone"})
    answers = fields.Integer(dump_only=True)
    traits = fields.List(fields.Nested(PracticeTraitAgreementSchema), dump_only=True)


class PracticeHistoryRubricSchema(StrictSchema):
    rubric_id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    months = fields.List(fields.Nested(PracticeHistoryMonthSchema), dump_only=True)


class PracticeHistorySchema(StrictSchema):
    """The signed-in person's own agreement with the reference, per trait by month; nobody else's."""

    rubrics = fields.List(fields.Nested(PracticeHistoryRubricSchema), dump_only=True)
