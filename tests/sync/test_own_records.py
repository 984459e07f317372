"""GET /api/v1/observations and /walks: the user's own records, tombstones included, by cursor."""
import base64
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from server.observations.models import Observation
from tests.sync.conftest import deletion_record, observation_record, sync, walk_record


def pull(client, school_id, **params):
    query = "&".join(f"{key}={value}" for key, value in {"school_id": school_id, **params}.items())
    return client.get(f"/api/v1/observations?{query}")


def age_all(db, by: timedelta) -> None:
    """Move every change back in time, as if it had been synced a while ago."""
    for row in db.session.scalars(select(Observation)):
        row.updated_at -= by
    db.session.commit()


def test_own_observations_are_listed_with_tombstones(db, observer, school):
    client, _ = observer
    kept, deleted = observation_record(school), observation_record(school)
    sync(client, school.id, kept, deleted)
    sync(client, school.id, deletion_record(deleted["id"], 2))
    items = {item["id"]: item for item in pull(client, school.id).get_json()["items"]}
    assert set(items) == {kept["id"], deleted["id"]}
    assert items[deleted["id"]]["deleted_at"] is not None and items[deleted["id"]]["version"] == 2
    assert items[kept["id"]]["deleted_at"] is None
    assert items[kept["id"]]["trait_levels"]["substantive"] == 2


def test_colleagues_observations_are_not_listed(db, login_as, school):
    colleague, _ = login_as("observer")
    sync(colleague, school.id, observation_record(school))
    client, _ = login_as("principal")
    assert pull(client, school.id).get_json()["items"] == []


def test_another_school_is_not_found(db, observer, other_school):
    client, _ = observer
    assert pull(client, other_school.id).status_code == 404


def test_pages_follow_the_cursor_without_gaps_or_repeats(db, observer, school):
    client, _ = observer
    records = [observation_record(school) for _ in range(7)]
    sync(client, school.id, *records)
    age_all(db, timedelta(minutes=5))
    seen, cursor, pages = [], None, 0
    while pages < 10:
        body = pull(client, school.id, limit=3, **({"since": cursor} if cursor else {})).get_json()
        seen += [item["id"] for item in body["items"]]
        cursor, pages = body["next_cursor"], pages + 1
        if not body["has_more"]:
            break
    assert sorted(seen) == sorted(r["id"] for r in records) and len(seen) == 7
    assert pages == 3
    assert pull(client, school.id, since=cursor).get_json()["items"] == []


def test_later_change_is_pulled_after_the_saved_cursor(db, observer, school):
    client, _ = observer
    record = observation_record(school)
    sync(client, school.id, record)
    age_all(db, timedelta(minutes=5))
    cursor = pull(client, school.id).get_json()["next_cursor"]
    sync(client, school.id, deletion_record(record["id"], 2))
    [item] = pull(client, school.id, since=cursor).get_json()["items"]
    assert (item["id"], item["version"]) == (record["id"], 2)


def test_the_cursor_stands_right_after_the_last_record_sent(db, observer, school):
    client, _ = observer
    record = observation_record(school)
    sync(client, school.id, record)
    body = pull(client, school.id).get_json()
    assert [item["id"] for item in body["items"]] == [record["id"]]
    assert pull(client, school.id, since=body["next_cursor"]).get_json()["items"] == []


def test_a_cursor_of_the_older_timestamp_kind_starts_the_pull_over(db, observer, school):
    client, _ = observer
    records = [observation_record(school) for _ in range(3)]
    sync(client, school.id, *records)
    legacy = base64.urlsafe_b64encode(f"{datetime.now(timezone.utc).isoformat()}|{uuid.uuid4().hex}".encode())
    body = pull(client, school.id, since=legacy.decode().rstrip("=")).get_json()
    assert sorted(item["id"] for item in body["items"]) == sorted(r["id"] for r in records)
    assert pull(client, school.id, since=body["next_cursor"]).get_json()["items"] == []


@pytest.mark.parametrize("cursor", ["garbage", "MjAyNi0xMS0yNA", "!!!!", "x" * 300, "MjAyNi0xMS0yNFQwODoxNjowM3wxMjM",
                                    *(base64.urlsafe_b64encode(text.encode()).decode() for text in (
                                        f"c:-1|{uuid.UUID(int=1).hex}", f"c:{2**63}|{uuid.UUID(int=1).hex}",
                                        f"c:12|{'z' * 32}", f"c:|{uuid.UUID(int=1).hex}", "c:12",
                                        f"2026-11-24T08:16:03|{uuid.UUID(int=1).hex}"))])
def test_invalid_cursor_is_unprocessable(db, observer, school, cursor):
    client, _ = observer
    response = pull(client, school.id, since=cursor)
    assert response.status_code == 422
    assert response.get_json()["errors"]["query"]["since"] == ["Not a valid cursor."]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"limit": "many"}, {"colour": "red"}])
def test_bad_query_is_unprocessable(db, observer, school, params):
    client, _ = observer
    assert pull(client, school.id, **params).status_code == 422


def test_missing_school_is_unprocessable(db, observer):
    client, _ = observer
    assert client.get("/api/v1/observations").status_code == 422


def test_own_walks_are_listed(db, observer, school):
    client, _ = observer
    walk = walk_record()
    sync(client, school.id, walk)
    [item] = client.get(f"/api/v1/walks?school_id={school.id}").get_json()["items"]
    assert (item["id"], item["type"], item["started_at"]) == (walk["id"], "walk", "2026-11-24T14:00:00+00:00")
