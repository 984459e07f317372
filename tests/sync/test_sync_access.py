"""Who may sync where: loggers of the batch's school only; everything else fails the whole request."""
import pytest

from tests.sync.conftest import count_observations, observation_record, sync


@pytest.mark.parametrize("role", ["observer", "principal", "district_admin"])
def test_roles_that_log_may_sync(db, login_as, school, role):
    client, _ = login_as(role)
    assert sync(client, school.id, observation_record(school)).status_code == 200
    assert count_observations(db) == 1


def test_viewer_is_forbidden_and_nothing_is_stored(db, login_as, school):
    client, _ = login_as("viewer")
    response = sync(client, school.id, observation_record(school))
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert count_observations(db) == 0


def test_another_school_is_not_found(db, observer, school, other_school):
    client, _ = observer
    response = sync(client, other_school.id, observation_record(other_school))
    assert response.status_code == 404
    assert count_observations(db) == 0


def test_unknown_school_looks_the_same_as_another_school(db, observer, school, other_school):
    client, _ = observer
    unknown, foreign = sync(client, 999_999), sync(client, other_school.id)
    assert (unknown.status_code, unknown.get_json()) == (foreign.status_code, foreign.get_json())


def test_signed_out_is_unauthorized(db, client, school):
    response = sync(client, school.id, observation_record(school))
    assert response.status_code == 401
    assert count_observations(db) == 0


def test_missing_csrf_token_is_refused(db, observer, school):
    client, _ = observer
    response = sync(client, school.id, observation_record(school), csrf=False)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert count_observations(db) == 0


def test_wrong_csrf_token_is_refused(db, observer, school):
    client, _ = observer
    response = sync(client, school.id, observation_record(school), headers={"X-CSRFToken": "forged"})
    assert response.status_code == 400
    assert count_observations(db) == 0


def test_more_than_200_records_is_unprocessable(db, observer, school):
    client, _ = observer
    response = sync(client, school.id, *[observation_record(school) for _ in range(201)])
    assert response.status_code == 422
    assert "records" in response.get_json()["errors"]["json"]
    assert count_observations(db) == 0


def test_form_body_is_unsupported(db, observer, school):
    client, _ = observer
    response = client.post("/api/v1/sync", data={"school_id": school.id})
    assert response.status_code == 415


@pytest.mark.parametrize("body", [
    {"records": []},
    {"school_id": "1", "records": []},
    {"school_id": 1},
    {"school_id": 1, "records": {}},
    {"school_id": 1, "records": [], "observer_id": 2},
    [],
])
def test_malformed_envelope_is_unprocessable(db, observer, school, body):
    client, _ = observer
    if isinstance(body, dict) and body.get("school_id") == 1:
        body["school_id"] = school.id
    response = client.post("/api/v1/sync", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
