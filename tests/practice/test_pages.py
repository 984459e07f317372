"""Scenario authoring pages: plain forms for principals and district admins, the same rules as the API."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from server.practice.models import PracticeScenario
from tests.practice.helpers import LINES, REFERENCE_LEVELS, create_scenario

FORM_PAGE = "/schools/{}/practice/scenarios"


def scenario_form(title="Venting about Friday", lines=LINES, levels=REFERENCE_LEVELS, **overrides) -> dict:
    form = {"title": title, "setting": "informal"}
    for index, line in enumerate(lines):
        form[f"speaker_{index}"], form[f"text_{index}"] = line["speaker"], line["text"]
    for key, level in levels.items():
        form[f"level_{key}"], form[f"why_{key}"] = str(level), f"Why {key} is {level}."
    return {**form, **overrides}


def post(client, url, form):
    return client.post(url, data={**form, "csrf_token": client.refresh_csrf()})


@pytest.mark.parametrize("role", ["principal", "district_admin"])
def test_leaders_write_a_scenario_with_a_form(db, school, login_as, role):
    client, author = login_as(role)
    assert client.get(FORM_PAGE.format(school.id) + "/new").status_code == 200
    response = post(client, FORM_PAGE.format(school.id) + "/new", scenario_form())
    assert response.status_code == 302
    scenario = db.session.scalar(select(PracticeScenario).where(PracticeScenario.school_id == school.id))
    assert (scenario.title, scenario.author_id, len(scenario.lines)) == ("Venting about Friday", author.id, 4)
    assert sorted(ref.level for ref in scenario.references) == sorted(REFERENCE_LEVELS.values())
    listed = client.get(FORM_PAGE.format(school.id)).get_data(as_text=True)
    assert "Venting about Friday" in listed and "In practice" in listed


@pytest.mark.parametrize(("change", "words"), [
    ({"speaker_3": "", "text_3": ""}, "Lines"),                # three lines are too few
    ({"level_evidence": "7"}, "evidence"),                     # a level out of range
    ({"why_action": ""}, "action"),                            # no why
    ({"title": ""}, "Title"),
])
def test_a_bad_form_says_what_to_fix_and_stores_nothing(db, school, login_as, change, words):
    client, _ = login_as("principal")
    response = post(client, FORM_PAGE.format(school.id) + "/new", scenario_form(**change))
    assert response.status_code == 422 and 'id="scenario-problems"' in response.get_data(as_text=True)
    assert words.lower() in response.get_data(as_text=True).lower()
    assert db.session.scalar(select(PracticeScenario.id)) is None


def test_editing_keeps_the_form_values_and_saves_the_reference(db, school, login_as):
    scenario = create_scenario(school)
    client, _ = login_as("principal")
    page = client.get(f"{FORM_PAGE.format(school.id)}/{scenario.id}").get_data(as_text=True)
    assert "My fourth period bombed the exit ticket" in page and "Why evidence is at level 2." in page
    response = post(client, f"{FORM_PAGE.format(school.id)}/{scenario.id}",
                    scenario_form(title="Ratios, revisited", levels={**REFERENCE_LEVELS, "people": 2}))
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(PracticeScenario, scenario.id)
    assert edited.title == "Ratios, revisited" and 2 in [r.level for r in edited.references if r.why.startswith("Why people")]


def test_withdrawing_takes_a_scenario_out_of_practice(db, school, login_as):
    scenario = create_scenario(school)
    client, _ = login_as("principal")
    assert post(client, f"{FORM_PAGE.format(school.id)}/{scenario.id}/withdraw", {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(PracticeScenario, scenario.id).deleted_at is not None
    assert "Withdrawn" in client.get(FORM_PAGE.format(school.id)).get_data(as_text=True)


@pytest.mark.parametrize("role", ["observer", "viewer"])
def test_staff_practise_in_the_app_but_do_not_author(db, school, login_as, role):
    scenario = create_scenario(school)
    client, _ = login_as(role)
    assert client.get(FORM_PAGE.format(school.id)).status_code == 403
    assert post(client, FORM_PAGE.format(school.id) + "/new", scenario_form()).status_code == 403
    assert post(client, f"{FORM_PAGE.format(school.id)}/{scenario.id}", scenario_form(title="Hijacked")).status_code == 403
    db.session.expire_all()
    assert db.session.get(PracticeScenario, scenario.id).title == "Ratios exit ticket"


def test_another_schools_scenario_is_a_404(db, school, other_school, login_as):
    foreign = create_scenario(other_school)
    client, _ = login_as("principal")
    assert client.get(f"{FORM_PAGE.format(school.id)}/{foreign.id}").status_code == 404
    assert client.get(f"{FORM_PAGE.format(other_school.id)}/{foreign.id}").status_code == 404
