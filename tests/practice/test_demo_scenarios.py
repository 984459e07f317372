"""The demo's practice scenarios: valid as an author would have to write them, and a set that covers every level."""
from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import func, select

from schemas.practice import ScenarioCreateSchema
from server.demo.scenarios import FOUR, SCENARIOS, SEVEN
from server.practice.models import PracticeScenario
from server.rubrics.models import Rubric
from tests.practice.helpers import answer_body

ROLES = {"Teacher", "Teacher A", "Teacher B", "Teacher C", "Coach", "Principal", "Mentor", "New teacher",
         "Teacher leader"}


def built_in_traits(db) -> dict[str, list[str]]:
    rubrics = db.session.scalars(select(Rubric).where(Rubric.district_id.is_(None)))
    return {rubric.key: [trait.key for trait in rubric.traits] for rubric in rubrics}


def test_every_demo_scenario_is_what_the_api_would_accept(db, school):
    rubric_ids = {rubric.key: rubric.id for rubric in db.session.scalars(select(Rubric).where(Rubric.district_id.is_(None)))}
    for scenario in SCENARIOS:
        ScenarioCreateSchema().load(scenario.fields(school.id, rubric_ids[scenario.rubric_key]))  # raises if not
        assert {speaker for speaker, _ in scenario.lines} <= ROLES, f"{scenario.title}: speakers are roles, never names"
        assert all(why.rstrip().endswith(".") and why.count(". ") == 0 for _, why in scenario.reference.values()), \
            f"{scenario.title}: each why is one sentence"


def test_the_demo_has_twelve_seven_trait_and_six_four_essentials_scenarios_in_both_settings(db):
    by_rubric = defaultdict(list)
    for scenario in SCENARIOS:
        by_rubric[scenario.rubric_key].append(scenario)
    assert len(by_rubric[SEVEN]) >= 12 and len(by_rubric[FOUR]) >= 6
    for scenarios in by_rubric.values():
        assert {scenario.setting for scenario in scenarios} == {"informal", "formal"}
    assert len({scenario.title for scenario in SCENARIOS}) == len(SCENARIOS)


@pytest.mark.parametrize("rubric_key", [SEVEN, FOUR])
def test_each_trait_is_absent_heard_and_strong_somewhere_in_the_set(db, rubric_key):
    traits = built_in_traits(db)[rubric_key]
    levels = defaultdict(set)
    for scenario in (s for s in SCENARIOS if s.rubric_key == rubric_key):
        assert list(scenario.reference) == traits, f"{scenario.title}: a reference for every trait, in order"
        for key, (level, _why) in scenario.reference.items():
            levels[key].add(level)
    assert {key: levels[key] for key in traits} == {key: {0, 1, 2} for key in traits}


def test_loaded_demo_scenarios_can_be_practised_by_a_viewer(db, school, login_as):
    from server.demo.scenarios import add_practice_scenarios

    add_practice_scenarios(school.id, None)
    db.session.commit()
    client, _ = login_as("viewer")

    listed = client.get("/api/v1/practice/scenarios", query_string={"school_id": school.id}).get_json()

    assert [item["title"] for item in listed] == [scenario.title for scenario in SCENARIOS]
    first = listed[0]
    answered = client.post("/api/v1/practice/answers", json=answer_body(first["id"], {"substantive": 1}))
    assert answered.status_code == 200 and answered.get_json()["result"]["agreed"] == 6  # only substantive differs
    assert db.session.scalar(select(func.count()).select_from(PracticeScenario)) == len(SCENARIOS)
