"""Practice: scenarios a school's leaders write, answers its staff give, and what each answer is shown.

The reference of a scenario stays hidden from a learner until they have answered it, so that an
answer measures how they hear the conversation, not how well they read the key. Practice answers are
their own table and never reach the heatmaps.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from server.access import Action, get_for, require_school, scoped
from server.db import db, utcnow
from server.practice.models import PracticeAnswer, PracticeAnswerLevel, PracticeReference, PracticeScenario
from server.rubrics.models import Rubric
from server.rubrics.service import rubrics_for
from server.schools.models import School

COLLEAGUES_NEEDED = 5
LEVEL_NAMES = ("not_heard", "heard", "strong")
CLOCK_SKEW = timedelta(minutes=5)
EARLIEST_ANSWER = datetime(2020, 1, 1, tzinfo=timezone.utc)


class RefusedPractice(Exception):
    """Input the schema cannot judge alone (a trait the rubric lacks, a missing reference): a 422 on one field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class AlreadyAnswered(Exception):
    """The person answered this scenario before with another answer id: the first answer stands."""


# Writing scenarios (principals and district admins)

def create_scenario(user, fields: dict) -> PracticeScenario:
    school = require_school(Action.MANAGE_SCHOOL, fields["school_id"], user)
    rubric = rubric_of(school, fields["rubric_id"])
    scenario = PracticeScenario(school_id=school.id, rubric_id=rubric.id, author_id=user.id, title=fields["title"],
                                setting=fields["setting"], lines=fields["lines"])
    scenario.references = references_for(rubric, fields["reference"])
    db.session.add(scenario)
    db.session.flush()
    return scenario


def update_scenario(user, scenario_id: int, changes: dict) -> PracticeScenario:
    scenario = get_for(PracticeScenario, scenario_id, Action.MANAGE_SCHOOL, user)
    for name in ("title", "setting", "lines"):
        if name in changes:
            setattr(scenario, name, changes[name])
    if "reference" in changes:
        rubric = db.session.get(Rubric, scenario.rubric_id)
        new = {ref.trait_id: ref for ref in references_for(rubric, changes["reference"])}
        for ref in scenario.references:
            ref.level, ref.why = new[ref.trait_id].level, new[ref.trait_id].why
    scenario.updated_at = utcnow()
    db.session.flush()
    return scenario


def withdraw_scenario(user, scenario_id: int) -> None:
    """Take a scenario out of practice; the answers given to it stay in their people's history."""
    scenario = get_for(PracticeScenario, scenario_id, Action.MANAGE_SCHOOL, user)
    scenario.deleted_at = utcnow()
    db.session.flush()


def authoring_scenario(user, scenario_id: int) -> dict:
    scenario = get_for(PracticeScenario, scenario_id, Action.MANAGE_SCHOOL, user)
    return {**columns(scenario), "author_id": scenario.author_id, "updated_at": scenario.updated_at,
            "reference": authoring_reference(scenario)}


def authoring_reference(scenario: PracticeScenario) -> dict:
    traits = {trait.id: trait.key for trait in db.session.get(Rubric, scenario.rubric_id).traits}
    return {traits[ref.trait_id]: {"level": ref.level, "why": ref.why} for ref in scenario.references}


def rubric_of(school: School, rubric_id: int) -> Rubric:
    for rubric in rubrics_for(school):
        if rubric.id == rubric_id:
            return rubric
    raise RefusedPractice("rubric_id", "This school has no rubric with that id.")


def references_for(rubric: Rubric, reference: dict) -> list[PracticeReference]:
    """A level and a why for exactly the rubric's traits: a practice answer is compared on every one."""
    keys = {trait.key for trait in rubric.traits}
    if unknown := sorted(set(reference) - keys):
        raise RefusedPractice("reference", f"The rubric has no trait {', '.join(unknown)}.")
    if missing := [trait.key for trait in rubric.traits if trait.key not in reference]:
        raise RefusedPractice("reference", f"Give a level and why for every trait; missing: {', '.join(missing)}.")
    return [PracticeReference(trait_id=trait.id, level=reference[trait.key]["level"], why=reference[trait.key]["why"])
            for trait in rubric.traits]


# Practising (every role of the school)

def scenarios_for(user, school_id: int) -> list[dict]:
    """The school's scenarios, newest first; the reference and colleagues' spread only on those answered."""
    return _listed(user, school_id)[0]


def _listed(user, school_id: int) -> tuple[list[dict], list[PracticeScenario]]:
    require_school(Action.PRACTISE, school_id, user)
    scenarios = db.session.scalars(
        scoped(select(PracticeScenario), PracticeScenario, Action.PRACTISE, user)
        .where(PracticeScenario.school_id == school_id, PracticeScenario.deleted_at.is_(None))
        .options(selectinload(PracticeScenario.references))
        .order_by(PracticeScenario.created_at.desc(), PracticeScenario.id.desc())
    ).all()
    return results_for(user, scenarios), scenarios


def offline_keys(user, school_id: int) -> list[dict]:
    """The references of the school's scenarios, for the phone to keep and show only after an answer made offline.

    The practice list never carries them; the app asks for these apart and keeps them out of sight, so a
    person who answers with no signal still sees the reference at once (their answer is stored first).
    """
    return [{"id": view["id"], "reference": authoring_reference(scenario)}
            for view, scenario in zip(*_listed(user, school_id))]


def scenario_for(user, scenario_id: int) -> dict:
    (view,) = results_for(user, [get_for(PracticeScenario, scenario_id, Action.PRACTISE, user)])
    return view


def submit_answer(user, fields: dict) -> tuple[dict, bool]:
    """Store the answer once (by its client id) and return what it reveals; True when it was new.

    A re-send of a stored answer returns the same result; another answer to a scenario already
    answered is refused, so agreement is always measured before the person saw the reference.
    """
    scenario = get_for(PracticeScenario, fields["scenario_id"], Action.PRACTISE, user)
    stored = db.session.get(PracticeAnswer, fields["id"])
    if stored is not None:
        if stored.user_id != user.id or stored.scenario_id != scenario.id:
            raise RefusedPractice("id", "This answer id is taken; make a new one for a new answer.")
        return scenario_for(user, scenario.id), False
    if db.session.scalar(select(PracticeAnswer.id).where(PracticeAnswer.scenario_id == scenario.id,
                                                         PracticeAnswer.user_id == user.id)):
        raise AlreadyAnswered()
    answered_at = fields["answered_at"]
    if not EARLIEST_ANSWER <= answered_at <= utcnow() + CLOCK_SKEW:
        raise RefusedPractice("answered_at", "The answer time is not a plausible moment (in the future or long past).")
    rubric = db.session.get(Rubric, scenario.rubric_id)
    keys = {trait.key for trait in rubric.traits}
    if unknown := sorted(set(fields["levels"]) - keys):
        raise RefusedPractice("levels", f"The scenario's rubric has no trait {', '.join(unknown)}.")
    answer = PracticeAnswer(id=fields["id"], school_id=scenario.school_id, scenario_id=scenario.id, user_id=user.id,
                            answered_at=answered_at)
    answer.levels = [PracticeAnswerLevel(trait_id=trait.id, level=fields["levels"].get(trait.key, 0))
                     for trait in rubric.traits]
    db.session.add(answer)
    db.session.flush()
    return scenario_for(user, scenario.id), True


def columns(scenario: PracticeScenario) -> dict:
    return {"id": scenario.id, "school_id": scenario.school_id, "rubric_id": scenario.rubric_id,
            "title": scenario.title, "setting": scenario.setting.value, "lines": scenario.lines}


def results_for(user, scenarios: list[PracticeScenario]) -> list[dict]:
    """Each scenario with the user's result (None before answering), in three queries for any number."""
    ids = [scenario.id for scenario in scenarios]
    own = {answer.scenario_id: answer for answer in db.session.scalars(
        select(PracticeAnswer).where(PracticeAnswer.scenario_id.in_(ids), PracticeAnswer.user_id == user.id)
        .options(selectinload(PracticeAnswer.levels)))} if ids else {}
    spreads = colleague_spreads(user, list(own))
    traits = rubric_traits({scenario.rubric_id for scenario in scenarios})
    views = []
    for scenario in scenarios:
        answer = own.get(scenario.id)
        result = result_of(answer, scenario, traits[scenario.rubric_id], spreads.get(scenario.id)) if answer else None
        views.append({**columns(scenario), "result": result})
    return views


def rubric_traits(rubric_ids: set[int]) -> dict[int, list]:
    rubrics = db.session.scalars(select(Rubric).where(Rubric.id.in_(rubric_ids)).options(selectinload(Rubric.traits)))
    return {rubric.id: list(rubric.traits) for rubric in rubrics}


def colleague_spreads(user, scenario_ids: list[int]) -> dict[int, tuple[int, dict]]:
    """Per scenario the user answered: how many colleagues answered, and their counts by (trait, level)."""
    if not scenario_ids:
        return {}
    others = (PracticeAnswer.scenario_id.in_(scenario_ids), PracticeAnswer.user_id != user.id)
    answered = dict(db.session.execute(
        select(PracticeAnswer.scenario_id, func.count()).where(*others).group_by(PracticeAnswer.scenario_id)).all())
    counts: dict[int, dict] = defaultdict(dict)
    rows = db.session.execute(
        select(PracticeAnswer.scenario_id, PracticeAnswerLevel.trait_id, PracticeAnswerLevel.level, func.count())
        .join(PracticeAnswerLevel, PracticeAnswerLevel.answer_id == PracticeAnswer.id).where(*others)
        .group_by(PracticeAnswer.scenario_id, PracticeAnswerLevel.trait_id, PracticeAnswerLevel.level))
    for scenario_id, trait_id, level, count in rows:
        counts[scenario_id][trait_id, level] = count
    return {scenario_id: (n, counts[scenario_id]) for scenario_id, n in answered.items()}


def result_of(answer: PracticeAnswer, scenario: PracticeScenario, traits: list, spread) -> dict:
    """The reveal: per trait the person's level, the reference and why, and the colleagues' spread once enough answered."""
    levels = {level.trait_id: level.level for level in answer.levels}
    references = {ref.trait_id: ref for ref in scenario.references}
    colleagues, counts = spread if spread and spread[0] >= COLLEAGUES_NEEDED else (None, None)
    rows = []
    for trait in traits:
        reference = references[trait.id]
        rows.append({
            "key": trait.key, "label": trait.label, "your_level": levels.get(trait.id, 0),
            "reference_level": reference.level, "why": reference.why,
            "agrees": levels.get(trait.id, 0) == reference.level,
            "colleagues": None if counts is None else {
                name: counts.get((trait.id, level), 0) for level, name in enumerate(LEVEL_NAMES)},
        })
    return {"answer_id": answer.id, "answered_at": answer.answered_at, "agreed": sum(row["agrees"] for row in rows),
            "traits": rows, "colleagues_answered": colleagues}
