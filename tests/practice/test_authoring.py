"""Writing scenarios: principals and district admins of the school only, complete and bounded, or nothing stored."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.practice.models import PracticeReference, PracticeScenario
from tests.practice.helpers import LINES, REFERENCE_LEVELS, answer_body, create_scenario, reference_body, scenario_body


def stored(db) -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(PracticeScenario)),
            db.session.scalar(select(func.count()).select_from(PracticeReference)))


@pytest.mark.parametrize("role", ["principal", "district_admin"])
def test_leaders_write_a_scenario_with_its_reference(db, school, login_as, role):
    client, user = login_as(role)

    created = client.post("/api/v1/practice/scenarios", json=scenario_body(school.id))

    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["author_id"] == user.id and body["setting"] == "informal" and body["lines"] == LINES
    assert {key: value["level"] for key, value in body["reference"].items()} == REFERENCE_LEVELS
    assert stored(db) == (1, 7)


@pytest.mark.parametrize("role", ["observer", "viewer"])
def test_observers_and_viewers_cannot_write_or_see_the_key(db, school, login_as, role):
    scenario = create_scenario(school)
    client, _ = login_as(role)

    assert client.post("/api/v1/practice/scenarios", json=scenario_body(school.id)).status_code == 403
    assert client.patch(f"/api/v1/practice/scenarios/{scenario.id}", json={"title": "Mine"}).status_code == 403
    assert client.delete(f"/api/v1/practice/scenarios/{scenario.id}").status_code == 403
    assert client.get(f"/api/v1/practice/scenarios/{scenario.id}/reference").status_code == 403
    assert stored(db) == (1, 7)
    assert db.session.get(PracticeScenario, scenario.id).title == "Ratios exit ticket"


def lines(count: int) -> list[dict]:
    return [{"speaker": "Teacher A" if n % 2 else "Coach", "text": f"Line {n}."} for n in range(count)]


@pytest.mark.parametrize("change", [
    {"lines": lines(3)},
    {"lines": lines(11)},
    {"lines": [*lines(3), {"speaker": "", "text": "Who said this?"}]},
    {"lines": [*lines(3), {"speaker": "Coach", "text": "x" * 401}]},
    {"lines": [*lines(3), {"speaker": "Coach", "text": "Bell\x07 rings"}]},
    {"lines": [*lines(3), {"speaker": "Coach"}]},
    {"title": ""},
    {"title": "t" * 121},
    {"setting": "corridor"},
    {"reference": reference_body({key: 1 for key in list(REFERENCE_LEVELS)[:6]})},
    {"reference": {**reference_body(), "shared_inquiry": {"level": 1, "why": "Not this rubric."}}},
    {"reference": {**reference_body(), "evidence": {"level": 3, "why": "Too high."}}},
    {"reference": {**reference_body(), "evidence": {"level": 1, "why": ""}}},
    {"rubric_id": 987654},
    {"school_id": "1"},
    {"author_id": 1},
])
def test_bad_scenarios_are_refused_and_store_nothing(db, school, login_as, change):
    client, _ = login_as("principal")

    refused = client.post("/api/v1/practice/scenarios", json={**scenario_body(school.id), **change})

    assert refused.status_code == 422, refused.get_json()
    assert refused.mimetype == "application/problem+json"
    assert stored(db) == (0, 0)


def test_a_scenario_for_the_four_essentials_needs_its_four_traits(db, school, login_as):
    client, _ = login_as("principal")
    rubric_id = next(r["id"] for r in client.get("/api/v1/rubrics", query_string={"school_id": school.id}).get_json()
                     if r["key"] == "four-essentials")
    four = {"shared_inquiry": 2, "grounded_in_data": 1, "surfaces_assumptions": 0, "builds_knowledge": 1}

    created = client.post("/api/v1/practice/scenarios",
                          json=scenario_body(school.id, rubric_id=rubric_id, reference=reference_body(four)))

    assert created.status_code == 201, created.get_json()
    assert stored(db) == (1, 4)


def test_editing_changes_the_text_and_the_whole_reference(db, school, login_as):
    scenario = create_scenario(school)
    client, _ = login_as("principal")
    new_levels = {**REFERENCE_LEVELS, "people": 2}

    edited = client.patch(f"/api/v1/practice/scenarios/{scenario.id}",
                          json={"title": "Ratios, revisited", "setting": "formal", "reference": reference_body(new_levels)})

    assert edited.status_code == 200, edited.get_json()
    again = client.get(f"/api/v1/practice/scenarios/{scenario.id}/reference").get_json()
    assert again["title"] == "Ratios, revisited" and again["setting"] == "formal"
    assert again["reference"]["people"] == {"level": 2, "why": "Why people is at level 2."}


def test_an_empty_or_incomplete_edit_changes_nothing(db, school, login_as):
    scenario = create_scenario(school)
    client, _ = login_as("principal")

    assert client.patch(f"/api/v1/practice/scenarios/{scenario.id}", json={}).status_code == 422
    incomplete = reference_body({"substantive": 0})
    assert client.patch(f"/api/v1/practice/scenarios/{scenario.id}",
                        json={"title": "Changed", "reference": incomplete}).status_code == 422

    db.session.expire_all()
    assert db.session.get(PracticeScenario, scenario.id).title == "Ratios exit ticket"


def test_a_withdrawn_scenario_leaves_practice_but_stays_in_history(db, school, login_as):
    scenario = create_scenario(school)
    principal, _ = login_as("principal")
    viewer, _ = login_as("viewer")
    assert viewer.post("/api/v1/practice/answers", json=answer_body(scenario.id, REFERENCE_LEVELS)).status_code == 200

    assert principal.delete(f"/api/v1/practice/scenarios/{scenario.id}").status_code == 204

    assert viewer.get("/api/v1/practice/scenarios", query_string={"school_id": school.id}).get_json() == []
    assert viewer.get(f"/api/v1/practice/scenarios/{scenario.id}").status_code == 404
    history = viewer.get("/api/v1/practice/history", query_string={"school_id": school.id}).get_json()
    assert history["rubrics"][0]["months"][0]["answers"] == 1


def test_another_schools_scenario_cannot_be_edited_or_withdrawn(db, school, other_school, login_as):
    foreign = create_scenario(other_school)
    client, _ = login_as("district_admin")

    assert client.patch(f"/api/v1/practice/scenarios/{foreign.id}", json={"title": "Hijacked"}).status_code == 404
    assert client.delete(f"/api/v1/practice/scenarios/{foreign.id}").status_code == 404
    assert client.get(f"/api/v1/practice/scenarios/{foreign.id}/reference").status_code == 404
    assert client.post("/api/v1/practice/scenarios", json=scenario_body(other_school.id)).status_code == 404
    db.session.expire_all()
    assert db.session.get(PracticeScenario, foreign.id).deleted_at is None
    assert stored(db) == (1, 7)
