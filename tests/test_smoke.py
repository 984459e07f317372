"""The foundation boots on each engine: migrations ran, the default rubric is seeded."""
from tests import factories


def test_default_rubric_has_the_seven_traits(db):
    rubric = factories.default_rubric()
    assert [t.label for t in rubric.traits] == [
        "Substantive", "Evidence", "Questions", "Non-defensive", "People", "Professional knowledge", "Action",
    ]


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_principal_can_sign_in_and_see_their_school(login_as, school):
    client, user = login_as("principal")
    me = client.get("/api/v1/auth/me").get_json()
    assert me["email"] == user.email
    assert me["schools"] == [{"school_id": school.id, "school_name": school.name, "district_id": school.district_id,
                              "timezone": "America/Chicago", "role": "principal"}]
