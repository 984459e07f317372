"""GET /api/v1/observations and /walks with `from`: a new phone's first pull asks for a recent window only."""
from tests.sync.conftest import observation_record, sync, walk_record


def test_from_lists_only_observations_observed_since_then(db, observer, school):
    client, _ = observer
    old = observation_record(school, observed_at="2026-09-01T08:00:00-05:00")
    recent = observation_record(school, observed_at="2026-11-20T08:00:00-06:00")
    sync(client, school.id, old, recent)
    response = client.get(f"/api/v1/observations?school_id={school.id}&from=2026-11-10T00:00:00-06:00")
    assert [item["id"] for item in response.get_json()["items"]] == [recent["id"]]


def test_from_lists_only_walks_started_since_then(db, observer, school):
    client, _ = observer
    old = walk_record(started_at="2026-09-01T08:00:00-05:00", ended_at="2026-09-01T08:30:00-05:00")
    recent = walk_record()
    sync(client, school.id, old, recent)
    response = client.get(f"/api/v1/walks?school_id={school.id}&from=2026-11-10T00:00:00-06:00")
    assert [item["id"] for item in response.get_json()["items"]] == [recent["id"]]


def test_from_without_an_offset_is_a_422(db, observer, school):
    client, _ = observer
    response = client.get(f"/api/v1/observations?school_id={school.id}&from=2026-11-10T00:00:00")
    assert response.status_code == 422
    assert response.content_type.startswith("application/problem+json")
