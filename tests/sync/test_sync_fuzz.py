"""Hostile input in every field: a 4xx or an `invalid` result, never a 500, nothing stored (both engines)."""
from urllib.parse import quote

import pytest

from tests.sync.conftest import count_observations, count_walks, deletion_record, new_id, observation_record, sync, walk_record

HOSTILE = {
    "nul": "abc\x00def",
    "lone_surrogate": "abc\ud800def",
    "long_text": "x" * 10_000,
    "huge_int": 2**63,
    "huge_negative_int": -(2**63),
    "float": 1e308,
    "nested": {"$gt": ""},
}
RECORD_MAKERS = {
    "observation": lambda school: observation_record(school),
    "walk": lambda school: walk_record(),
    "deletion": lambda school: deletion_record(new_id(), 2),
}


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("kind", RECORD_MAKERS)
def test_hostile_value_in_any_field_makes_that_record_invalid(db, observer, school, kind, value):
    client, _ = observer
    fields = [field for field in RECORD_MAKERS[kind](school)]
    records = [{**RECORD_MAKERS[kind](school), field: value} for field in fields]
    response = sync(client, school.id, *records)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    results = response.get_json()["results"]
    assert [(field, r["status"]) for field, r in zip(fields, results)] == [(field, "invalid") for field in fields]
    assert (count_observations(db), count_walks(db)) == (0, 0)


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_trait_level_key_or_value_makes_the_record_invalid(db, observer, school, value):
    client, _ = observer
    as_key = observation_record(school, trait_levels={str(value): 1})
    as_value = observation_record(school, trait_levels={"substantive": value})
    as_role = observation_record(school, participant_roles=[value])
    response = sync(client, school.id, as_key, as_value, as_role)
    assert [r["status"] for r in response.get_json()["results"]] == ["invalid"] * 3
    assert count_observations(db) == 0


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("field", ["school_id", "records"])
def test_hostile_envelope_is_unprocessable(db, observer, school, field, value):
    client, _ = observer
    body = {"school_id": school.id, "records": [], field: value}
    response = client.post("/api/v1/sync", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("parameter", ["school_id", "since", "limit"])
@pytest.mark.parametrize("route", ["/api/v1/observations", "/api/v1/walks"])
def test_hostile_query_is_unprocessable(db, observer, school, route, parameter, value):
    client, _ = observer
    query = {"school_id": school.id, parameter: value if isinstance(value, (str, int, float)) else "{}"}
    encoded = "&".join(f"{key}={quote(str(text), errors='surrogatepass')}" for key, text in query.items())
    response = client.get(f"{route}?{encoded}")
    assert response.status_code == 422


def test_body_that_is_not_utf8_json_is_a_bad_request(db, observer, school):
    client, _ = observer
    response = client.post("/api/v1/sync", data=b'{"school_id": 1, "records": ["\xff\xfe"]}', content_type="application/json")
    assert response.status_code == 400
    assert count_observations(db) == 0


def test_body_over_the_size_limit_is_too_large(app, db, observer, school):
    client, _ = observer
    padding = "x" * (app.config["MAX_CONTENT_LENGTH"] // 100)
    records = [observation_record(school, note=padding) for _ in range(100)]
    response = client.post("/api/v1/sync", json={"school_id": school.id, "records": records})
    assert response.status_code == 413
    assert count_observations(db) == 0
