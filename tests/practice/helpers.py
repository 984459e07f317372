"""Practice scenarios and answers made through the service, and request bodies for the API."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from server.db import db
from server.practice import service
from tests import factories

SEVEN = ["substantive", "evidence", "questions", "non_defensive", "people", "professional_knowledge", "action"]
LINES = [
    {"speaker": "Teacher A", "text": "My fourth period bombed the exit ticket on ratios yesterday."},
    {"speaker": "Teacher B", "text": "All of them, or the ones who were out last week?"},
    {"speaker": "Teacher A", "text": "Mostly the ones who missed the table lesson, looking at the tickets."},
    {"speaker": "Teacher B", "text": "Pull them at the start of class Thursday and re-teach with tables."},
]
# A reference with every level used: substantive 2, evidence 2, questions 1, non_defensive 1, people 0,
# professional_knowledge 0, action 2.
REFERENCE_LEVELS = dict(zip(SEVEN, [2, 2, 1, 1, 0, 0, 2]))


def reference_body(levels: dict[str, int] | None = None) -> dict:
    levels = levels or REFERENCE_LEVELS
    return {key: {"level": level, "why": f"Why {key} is at level {level}."} for key, level in levels.items()}


def scenario_body(school_id: int, **overrides) -> dict:
    return {"school_id": school_id, "rubric_id": factories.default_rubric().id, "title": "Ratios exit ticket",
            "setting": "informal", "lines": LINES, "reference": reference_body(), **overrides}


def create_scenario(school, author=None, levels: dict[str, int] | None = None, title: str = "Ratios exit ticket"):
    author = author or factories.create_user("principal", school)
    scenario = service.create_scenario(author, scenario_body(school.id, reference=reference_body(levels), title=title))
    db.session.commit()
    return scenario


def answer_body(scenario_id: int, levels: dict[str, int], answer_id=None, answered_at: datetime | None = None) -> dict:
    moment = answered_at or datetime.now(timezone.utc)
    return {"id": str(answer_id or uuid.uuid4()), "scenario_id": scenario_id, "levels": levels,
            "answered_at": moment.isoformat()}


def answer_as(user, scenario, levels: dict[str, int], answered_at: datetime | None = None):
    """An answer stored through the service, as a colleague's would be."""
    body = answer_body(scenario.id, levels, answered_at=answered_at)
    view, _ = service.submit_answer(user, {**body, "id": uuid.UUID(body["id"]),
                                           "answered_at": answered_at or datetime.now(timezone.utc)})
    db.session.commit()
    return view
