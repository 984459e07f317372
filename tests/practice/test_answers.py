"""Practising on a scenario: the reference hidden until answered, one stored answer per person, the reveal."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from server.practice.models import PracticeAnswer, PracticeAnswerLevel
from tests import factories
from tests.practice.helpers import REFERENCE_LEVELS, SEVEN, answer_as, answer_body, create_scenario


def count_answers(db) -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(PracticeAnswer)),
            db.session.scalar(select(func.count()).select_from(PracticeAnswerLevel)))


def test_reference_is_hidden_before_answering(db, school, login_as):
    scenario = create_scenario(school)
    client, _ = login_as("viewer")

    listed = client.get("/api/v1/practice/scenarios", query_string={"school_id": school.id})
    one = client.get(f"/api/v1/practice/scenarios/{scenario.id}")

    assert listed.status_code == 200 and one.status_code == 200
    assert [item["id"] for item in listed.get_json()] == [scenario.id]
    assert listed.get_json()[0]["result"] is None and one.get_json()["result"] is None
    assert len(one.get_json()["lines"]) == 4
    for body in (listed.get_data(as_text=True), one.get_data(as_text=True)):
        assert "Why substantive" not in body and "reference" not in body


@pytest.mark.parametrize("role", ["viewer", "observer", "principal", "district_admin"])
def test_every_role_can_practise_and_sees_the_reveal(db, school, login_as, role):
    scenario = create_scenario(school)
    client, _ = login_as(role)
    # Rated: substantive 2 (agrees), evidence 1 (ref 2), questions 1 (agrees), people 1 (ref 0),
    # action 2 (agrees); non_defensive and professional_knowledge left out = 0 (refs 1 and 0).
    levels = {"substantive": 2, "evidence": 1, "questions": 1, "people": 1, "action": 2}

    answer = client.post("/api/v1/practice/answers", json=answer_body(scenario.id, levels))

    assert answer.status_code == 200, answer.get_json()
    result = answer.get_json()["result"]
    by_key = {row["key"]: row for row in result["traits"]}
    assert [row["key"] for row in result["traits"]] == SEVEN
    assert {key: row["agrees"] for key, row in by_key.items()} == {
        "substantive": True, "evidence": False, "questions": True, "non_defensive": False, "people": False,
        "professional_knowledge": True, "action": True}
    assert result["agreed"] == 4
    assert by_key["non_defensive"]["your_level"] == 0 and by_key["non_defensive"]["reference_level"] == 1
    assert by_key["evidence"]["why"] == "Why evidence is at level 2."
    assert result["colleagues_answered"] is None and by_key["evidence"]["colleagues"] is None


def test_resent_answer_is_stored_once(db, school, login_as):
    scenario = create_scenario(school)
    client, _ = login_as("viewer")
    body = answer_body(scenario.id, {"substantive": 2})

    first = client.post("/api/v1/practice/answers", json=body)
    again = client.post("/api/v1/practice/answers", json=body)

    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    assert first.get_json()["result"]["answer_id"] == body["id"]
    assert count_answers(db) == (1, 7)


def test_a_second_answer_to_the_same_scenario_is_refused_and_the_first_stands(db, school, login_as):
    scenario = create_scenario(school)
    client, _ = login_as("observer")
    first = client.post("/api/v1/practice/answers", json=answer_body(scenario.id, REFERENCE_LEVELS))

    second = client.post("/api/v1/practice/answers", json=answer_body(scenario.id, {}))

    assert second.status_code == 409 and second.mimetype == "application/problem+json"
    assert count_answers(db) == (1, 7)
    shown = client.get(f"/api/v1/practice/scenarios/{scenario.id}").get_json()["result"]
    assert shown["answer_id"] == first.get_json()["result"]["answer_id"] and shown["agreed"] == 7


def test_an_answer_id_of_someone_else_is_refused(db, school, login_as):
    scenario = create_scenario(school)
    client, _ = login_as("observer")
    body = answer_body(scenario.id, {"substantive": 2})
    answer_as(factories.create_user("observer", school), scenario, {}, )  # another id; then reuse theirs
    theirs = str(db.session.scalar(select(PracticeAnswer.id)))

    refused = client.post("/api/v1/practice/answers", json={**body, "id": theirs})

    assert refused.status_code == 422
    assert count_answers(db) == (1, 7)


def colleagues_answer(school, scenario, count: int) -> None:
    """`count` colleagues: the first two rate evidence 2, the rest 1; all rate people 0 by leaving it out."""
    for number in range(count):
        colleague = factories.create_user("observer", school)
        answer_as(colleague, scenario, {"substantive": 2, "evidence": 2 if number < 2 else 1})


@pytest.mark.parametrize("colleagues, shown", [(4, False), (5, True)])
def test_colleagues_spread_shows_only_once_five_have_answered(db, school, login_as, colleagues, shown):
    scenario = create_scenario(school)
    colleagues_answer(school, scenario, colleagues)
    client, user = login_as("viewer")

    result = client.post("/api/v1/practice/answers", json=answer_body(scenario.id, {"evidence": 2})).get_json()["result"]

    by_key = {row["key"]: row for row in result["traits"]}
    if not shown:
        assert result["colleagues_answered"] is None
        assert all(row["colleagues"] is None for row in result["traits"])
        return
    assert result["colleagues_answered"] == 5  # the person's own answer is not a colleague's
    assert by_key["evidence"]["colleagues"] == {"not_heard": 0, "heard": 3, "strong": 2}
    assert by_key["substantive"]["colleagues"] == {"not_heard": 0, "heard": 0, "strong": 5}
    assert by_key["people"]["colleagues"] == {"not_heard": 5, "heard": 0, "strong": 0}
    assert "Staff Member" not in client.get(f"/api/v1/practice/scenarios/{scenario.id}").get_data(as_text=True)


def test_colleagues_spread_is_not_shown_before_answering_even_with_many_colleagues(db, school, login_as):
    scenario = create_scenario(school)
    colleagues_answer(school, scenario, 6)
    client, _ = login_as("viewer")

    body = client.get(f"/api/v1/practice/scenarios/{scenario.id}")

    assert body.get_json()["result"] is None


NOW = datetime.now(timezone.utc)


@pytest.mark.parametrize("change", [
    {"levels": {"substantive": 3}},
    {"levels": {"substantive": -1}},
    {"levels": {"shared_inquiry": 1}},
    {"levels": {"substantive": "2"}},
    {"levels": []},
    {"id": "not-a-uuid"},
    {"answered_at": (NOW + timedelta(days=2)).isoformat()},
    {"answered_at": "2019-05-01T10:00:00+00:00"},
    {"answered_at": "2026-11-02T10:00:00"},
    {"scenario_id": 0},
    {"colour": "blue"},
])
def test_bad_answers_are_refused_and_store_nothing(db, school, login_as, change):
    scenario = create_scenario(school)
    client, _ = login_as("observer")

    refused = client.post("/api/v1/practice/answers", json={**answer_body(scenario.id, {"substantive": 1}), **change})

    assert refused.status_code == 422, refused.get_json()
    assert refused.mimetype == "application/problem+json"
    assert count_answers(db) == (0, 0)


def test_another_schools_scenario_is_a_404_for_listing_reading_and_answering(db, school, other_school, login_as):
    foreign = create_scenario(other_school)
    client, _ = login_as("principal")

    assert client.get("/api/v1/practice/scenarios", query_string={"school_id": other_school.id}).status_code == 404
    assert client.get(f"/api/v1/practice/scenarios/{foreign.id}").status_code == 404
    assert client.post("/api/v1/practice/answers", json=answer_body(foreign.id, {})).status_code == 404
    assert count_answers(db) == (0, 0)


def test_practice_answers_never_reach_the_heatmaps(db, school, login_as):
    from tests.followups.helpers import create_observation

    create_observation(school, factories.create_user("observer", school), trait_levels={"substantive": 2})
    scenario = create_scenario(school)
    client, _ = login_as("principal")
    views = [f"/api/v1/heatmaps/schools/{school.id}/{view}" for view in ("quality", "frequency", "trends")]
    before = [client.get(url).get_json() for url in views]

    assert client.post("/api/v1/practice/answers", json=answer_body(scenario.id, REFERENCE_LEVELS)).status_code == 200

    assert [client.get(url).get_json() for url in views] == before


def test_offline_keys_carry_every_scenarios_reference_for_the_phone(db, school, login_as):
    scenario = create_scenario(school)
    client, _ = login_as("viewer")

    keys = client.get("/api/v1/practice/offline-keys", query_string={"school_id": school.id})

    assert keys.status_code == 200
    (key,) = keys.get_json()
    assert key["id"] == scenario.id
    assert {trait: value["level"] for trait, value in key["reference"].items()} == REFERENCE_LEVELS
