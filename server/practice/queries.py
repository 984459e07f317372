"""A person's own practice history: agreement with the reference per trait, by month in the school's zone."""
from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from sqlalchemy import select

from server.access import Action, require_school
from server.db import db
from server.practice.models import PracticeAnswer, PracticeAnswerLevel, PracticeReference, PracticeScenario
from server.rubrics.models import Rubric


def history(user, school_id: int) -> dict:
    """Only the signed-in person's answers, never anyone else's; one block per rubric practised, months in order."""
    school = require_school(Action.PRACTISE, school_id, user)
    zone = ZoneInfo(school.timezone)
    rows = db.session.execute(
        select(PracticeAnswer.id, PracticeAnswer.answered_at, PracticeScenario.rubric_id,
               PracticeAnswerLevel.trait_id, PracticeAnswerLevel.level, PracticeReference.level.label("reference"))
        .join(PracticeScenario, PracticeScenario.id == PracticeAnswer.scenario_id)
        .join(PracticeAnswerLevel, PracticeAnswerLevel.answer_id == PracticeAnswer.id)
        .join(PracticeReference, (PracticeReference.scenario_id == PracticeAnswer.scenario_id)
              & (PracticeReference.trait_id == PracticeAnswerLevel.trait_id))
        .where(PracticeAnswer.user_id == user.id, PracticeAnswer.school_id == school.id)
    ).all()
    answers: dict = defaultdict(set)                        # (rubric, month) → answer ids
    tallies: dict = defaultdict(lambda: [0, 0])             # (rubric, month, trait) → [agreed, answered]
    for row in rows:
        month = row.answered_at.astimezone(zone).strftime("%Y-%m")
        answers[row.rubric_id, month].add(row.id)
        tally = tallies[row.rubric_id, month, row.trait_id]
        tally[0] += row.level == row.reference
        tally[1] += 1
    rubric_ids = sorted({rubric_id for rubric_id, _ in answers})
    rubrics = db.session.scalars(select(Rubric).where(Rubric.id.in_(rubric_ids)).order_by(Rubric.id)).all()
    return {"rubrics": [{
        "rubric_id": rubric.id, "name": rubric.name,
        "months": [{
            "month": month, "answers": len(answers[rubric.id, month]),
            "traits": [{"key": trait.key, "label": trait.label,
                        "agreed": tallies[rubric.id, month, trait.id][0],
                        "answered": tallies[rubric.id, month, trait.id][1]} for trait in rubric.traits],
        } for month in sorted(month for rubric_id, month in answers if rubric_id == rubric.id)],
    } for rubric in rubrics]}
