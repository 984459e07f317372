"""Requests at once against a live threaded server: the same new UUID stored once, edits ending
with the highest version, the heatmap rollup exact; never a 500 or a 409."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import requests
from werkzeug.serving import make_server

from server.heatmaps import rollup
from tests import factories
from tests.heatmaps.conftest import table_rows
from tests.sync.conftest import count_observations, count_trait_levels, observation_record, stored_observation

PARALLEL = 20


@pytest.fixture()
def live_server(app, db):
    """The session app served by a threaded werkzeug server on a free 127.0.0.1 port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def signed_in_session(base_url: str, user) -> tuple[dict, str]:
    """Sign in over HTTP: the session cookies and a CSRF token bound to them."""
    with requests.Session() as http:
        token = http.get(f"{base_url}/api/v1/auth/csrf", timeout=30).json()["csrf_token"]
        response = http.post(f"{base_url}/api/v1/auth/login", json={"email": user.email, "password": factories.PASSWORD},
                             headers={"X-CSRFToken": token}, timeout=30)
        assert response.status_code == 200, response.text
        token = http.get(f"{base_url}/api/v1/auth/csrf", timeout=30).json()["csrf_token"]
        return http.cookies.get_dict(), token


def post_batches_at_once(base_url: str, cookies: dict, token: str, body: dict) -> list[requests.Response]:
    start = threading.Barrier(PARALLEL, timeout=30)

    def post(_):
        with requests.Session() as http:
            http.cookies.update(cookies)
            start.wait()
            return http.post(f"{base_url}/api/v1/sync", json=body, headers={"X-CSRFToken": token}, timeout=60)

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return list(pool.map(post, range(PARALLEL)))


def test_same_new_uuid_sent_twenty_times_at_once_is_stored_once(db, live_server, school):
    user = factories.create_user(role="observer", school=school)
    cookies, token = signed_in_session(live_server, user)
    record = observation_record(school)
    responses = post_batches_at_once(live_server, cookies, token, {"school_id": school.id, "records": [record]})
    assert [r.status_code for r in responses] == [200] * PARALLEL, [r.text for r in responses if r.status_code != 200][:1]
    outcomes = [r.json()["results"][0]["status"] for r in responses]
    assert set(outcomes) <= {"stored", "unchanged"}
    assert outcomes.count("stored") == 1
    assert (count_observations(db), count_trait_levels(db)) == (1, 7)
    assert stored_observation(db, record["id"]).observer_id == user.id


def test_same_batch_of_many_new_uuids_sent_at_once_is_stored_once(db, live_server, school):
    user = factories.create_user(role="observer", school=school)
    cookies, token = signed_in_session(live_server, user)
    records = [observation_record(school) for _ in range(50)]
    responses = post_batches_at_once(live_server, cookies, token, {"school_id": school.id, "records": records})
    assert [r.status_code for r in responses] == [200] * PARALLEL
    assert all(result["status"] in {"stored", "unchanged"} for r in responses for result in r.json()["results"])
    assert (count_observations(db), count_trait_levels(db)) == (50, 350)


def test_edits_sent_at_once_end_with_the_highest_version(db, live_server, school):
    user = factories.create_user(role="observer", school=school)
    cookies, token = signed_in_session(live_server, user)
    record = observation_record(school)
    with requests.Session() as http:
        http.cookies.update(cookies)
        first = http.post(f"{live_server}/api/v1/sync", json={"school_id": school.id, "records": [record]},
                          headers={"X-CSRFToken": token}, timeout=30)
        assert first.status_code == 200
    start = threading.Barrier(PARALLEL, timeout=30)

    def edit(version):
        """One device's edit, re-sent after a 503 as the app's outbox does (bounded: 10 tries)."""
        edited = {**record, "version": version, "note": f"edit {version}", "trait_levels": {"action": version % 3}}
        with requests.Session() as http:
            http.cookies.update(cookies)
            start.wait()
            for attempt in range(10):
                answer = http.post(f"{live_server}/api/v1/sync", json={"school_id": school.id, "records": [edited]},
                                   headers={"X-CSRFToken": token}, timeout=60)
                if answer.status_code != 503:
                    return answer
                time.sleep(0.05 * (attempt + 1))
            return answer

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        responses = list(pool.map(edit, range(2, PARALLEL + 2)))
    assert [r.status_code for r in responses] == [200] * PARALLEL
    assert {r.json()["results"][0]["status"] for r in responses} <= {"stored", "conflict"}
    row = stored_observation(db, record["id"])
    assert (row.version, row.note) == (PARALLEL + 1, f"edit {PARALLEL + 1}")
    assert count_trait_levels(db) == 7


def post_until_answered(http: requests.Session, url: str, body: dict, token: str) -> requests.Response:
    """As the app's outbox does: send again after a 503 (bounded: 10 tries)."""
    for attempt in range(10):
        answer = http.post(url, json=body, headers={"X-CSRFToken": token}, timeout=60)
        if answer.status_code != 503:
            return answer
        time.sleep(0.05 * (attempt + 1))
    return answer


@pytest.mark.parametrize("rollup_built", [True, False], ids=["rollup-built", "first-syncs-of-a-school"])
def test_batches_on_different_days_of_one_week_at_once_keep_the_rollup_exact(db, live_server, school, rollup_built):
    """Phones catching up on different days of the same week at once (and, for a new school, all
    building its rollup): every batch answered, and the rollup equals a rebuild from the raw rows."""
    if rollup_built:
        rollup.rebuild(school.id)
        db.session.commit()
    user = factories.create_user(role="observer", school=school)
    cookies, token = signed_in_session(live_server, user)
    monday = date(2026, 11, 16)
    batches = [[observation_record(school, observed_at=f"{monday + timedelta(days=n % 5)}T{8 + k:02d}:15:00-06:00")
                for k in range(5)] for n in range(PARALLEL)]
    start = threading.Barrier(PARALLEL, timeout=30)

    def send(records):
        with requests.Session() as http:
            http.cookies.update(cookies)
            start.wait()
            return post_until_answered(http, f"{live_server}/api/v1/sync", {"school_id": school.id, "records": records}, token)

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        responses = list(pool.map(send, batches))
    assert [r.status_code for r in responses] == [200] * PARALLEL, [r.text for r in responses if r.status_code != 200][:1]
    assert {result["status"] for r in responses for result in r.json()["results"]} == {"stored"}
    assert count_observations(db) == 5 * PARALLEL
    db.session.expire_all()
    maintained = table_rows(db)
    rollup.rebuild(school.id)
    db.session.commit()
    assert maintained["weeks"] and table_rows(db) == maintained
