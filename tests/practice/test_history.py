"""A person's own practice history: agreement with the reference per trait, by month in the school's zone."""
from __future__ import annotations

from datetime import datetime, timezone

from tests import factories
from tests.practice.helpers import REFERENCE_LEVELS, answer_as, create_scenario


def test_history_counts_agreement_per_trait_by_local_month(db, school, login_as):
    # The school is in America/Chicago: 2026-11-01 03:00 UTC is still October 31 there.
    first, second, third = (create_scenario(school, title=f"Scenario {n}") for n in range(3))
    client, user = login_as("observer")
    answer_as(user, first, REFERENCE_LEVELS, datetime(2026, 11, 1, 3, tzinfo=timezone.utc))          # all 7 agree
    answer_as(user, second, {"substantive": 2}, datetime(2026, 11, 10, 15, tzinfo=timezone.utc))    # agrees: substantive, people, professional_knowledge
    answer_as(user, third, {"substantive": 1, "evidence": 2, "people": 0}, datetime(2026, 11, 20, 15, tzinfo=timezone.utc))
    # third agrees: evidence, people, professional_knowledge

    history = client.get("/api/v1/practice/history", query_string={"school_id": school.id})

    assert history.status_code == 200
    (rubric,) = history.get_json()["rubrics"]
    assert rubric["rubric_id"] == factories.default_rubric().id
    october, november = rubric["months"]
    assert (october["month"], october["answers"]) == ("2026-10", 1)
    assert all(t["agreed"] == t["answered"] == 1 for t in october["traits"])
    assert (november["month"], november["answers"]) == ("2026-11", 2)
    assert {t["key"]: (t["agreed"], t["answered"]) for t in november["traits"]} == {
        "substantive": (1, 2), "evidence": (1, 2), "questions": (0, 2), "non_defensive": (0, 2),
        "people": (2, 2), "professional_knowledge": (2, 2), "action": (0, 2)}


def test_history_holds_only_the_persons_own_answers(db, school, login_as):
    scenario = create_scenario(school)
    for _ in range(5):
        answer_as(factories.create_user("observer", school), scenario, REFERENCE_LEVELS)
    client, _ = login_as("viewer")

    history = client.get("/api/v1/practice/history", query_string={"school_id": school.id})

    assert history.status_code == 200 and history.get_json() == {"rubrics": []}


def test_another_schools_history_is_a_404(db, school, other_school, login_as):
    client, _ = login_as("principal")

    assert client.get("/api/v1/practice/history", query_string={"school_id": other_school.id}).status_code == 404
