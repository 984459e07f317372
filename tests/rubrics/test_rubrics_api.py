"""Rubrics a school can log against: built-in ones and its district's own, the default first."""
import pytest

from server.rubrics.models import Rubric, Trait


def add_district_rubric(db, district_id, key="coaching", name="Coaching cycle"):
    rubric = Rubric(district_id=district_id, key=key, name=name, description="The district's own lens.")
    rubric.traits = [Trait(key="goal", label="Goal", description="A shared goal is named.", position=1),
                     Trait(key="next_step", label="Next step", description="A next step is agreed.", position=2)]
    db.session.add(rubric)
    db.session.commit()
    return rubric


def test_viewer_gets_built_in_rubrics_default_first_with_traits_in_order(login_as, school):
    client, _ = login_as("viewer")
    response = client.get(f"/api/v1/rubrics?school_id={school.id}")
    assert response.status_code == 200
    rubrics = response.get_json()
    assert [(r["key"], r["is_default"], r["built_in"]) for r in rubrics] == [
        ("seven-traits", True, True), ("four-essentials", False, True)]
    assert [t["label"] for t in rubrics[0]["traits"]] == [
        "Substantive", "Evidence", "Questions", "Non-defensive", "People", "Professional knowledge", "Action"]
    assert [t["position"] for t in rubrics[0]["traits"]] == [1, 2, 3, 4, 5, 6, 7]
    assert set(rubrics[0]["traits"][0]) == {"id", "key", "label", "description", "position"}


def test_districts_own_rubric_comes_after_the_built_in_ones(login_as, school, db):
    add_district_rubric(db, school.district_id)
    client, _ = login_as("observer")
    rubrics = client.get(f"/api/v1/rubrics?school_id={school.id}").get_json()
    assert [(r["key"], r["built_in"]) for r in rubrics] == [
        ("seven-traits", True), ("four-essentials", True), ("coaching", False)]
    assert [t["key"] for t in rubrics[2]["traits"]] == ["goal", "next_step"]


def test_another_districts_rubric_is_not_listed(login_as, school, other_school, db):
    add_district_rubric(db, other_school.district_id, name="Riverside walkthrough")
    client, _ = login_as("principal")
    text = client.get(f"/api/v1/rubrics?school_id={school.id}").get_data(as_text=True)
    assert "Riverside walkthrough" not in text


def test_rubrics_of_another_school_are_not_found(login_as, school, other_school):
    client, _ = login_as("principal")
    assert client.get(f"/api/v1/rubrics?school_id={other_school.id}").status_code == 404


@pytest.mark.parametrize("query", ["", "?school_id=abc", "?school_id=0", f"?school_id={2**64}", "?school_id=1&rubric=2"])
def test_bad_rubric_query_is_refused(login_as, school, query):
    client, _ = login_as("principal")
    response = client.get(f"/api/v1/rubrics{query}")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_rubrics_need_sign_in(client, school):
    assert client.get(f"/api/v1/rubrics?school_id={school.id}").status_code == 401
