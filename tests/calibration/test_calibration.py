"""Calibration figures against the hand-worked fixture (tests/calibration/conftest.py), on both engines."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server.observations.models import Observation
from tests import factories
from tests.calibration.conftest import NOTE, co_listen, local
from tests.conftest import ApiClient


def api(client, school, **query):
    return client.get(f"/api/v1/calibration/schools/{school.id}", query_string=query)


def by_key(body):
    return {t["key"]: t for t in body["traits"]}


def signed_in(app, user):
    app.test_client_class = ApiClient
    client = app.test_client()
    assert client.post("/api/v1/auth/login", json={"email": user.email, "password": factories.PASSWORD}).status_code == 200
    return client


def test_each_trait_has_exact_agreement_alpha_and_kappa_with_its_n(login_as, calibration_school):
    client, _ = login_as("principal")
    body = api(client, calibration_school).get_json()
    assert body["conversations"] == 4  # per trait; no trait was logged in all eight
    evidence = by_key(body)["evidence"]
    assert (evidence["exact_agreement"]["n"], evidence["exact_agreement"]["value"]) == (4, 0.75)
    assert evidence["alpha"]["value"] == pytest.approx(0.79) and evidence["alpha"]["n"] == 4
    assert evidence["alpha"]["interval_low"] <= 0.79 <= evidence["alpha"]["interval_high"]
    assert evidence["kappa"]["value"] == pytest.approx(0.8) and evidence["kappa"]["n"] == 4
    assert evidence["reading"] == "tentative"
    questions = by_key(body)["questions"]
    assert questions["alpha"]["value"] == pytest.approx(1 - 382.5 / 1470)
    assert questions["exact_agreement"]["value"] == 0.5
    assert questions["kappa"]["value"] is None and "n 2" in questions["kappa"]["reason"]


def test_undefined_figures_are_said_in_words_never_nan(login_as, calibration_school):
    client, _ = login_as("principal")
    response = api(client, calibration_school)
    assert b"NaN" not in response.data
    substantive = by_key(response.get_json())["substantive"]
    assert substantive["exact_agreement"]["value"] == 1.0
    assert substantive["alpha"]["value"] is None and "undefined" in substantive["alpha"]["reason"]
    assert substantive["reading"] == "unknown"
    action = by_key(response.get_json())["action"]
    assert action["exact_agreement"]["n"] == 0 and action["exact_agreement"]["reason"]


def test_agreement_by_month_and_the_traits_split_on_most(login_as, calibration_school):
    client, _ = login_as("principal")
    body = api(client, calibration_school).get_json()
    assert [m["key"] for m in body["months"]] == ["2025-10", "2025-11"]
    october = {t["trait_id"]: t for t in body["months"][0]["traits"]}
    evidence_id = by_key(body)["evidence"]["trait_id"]
    assert october[evidence_id]["alpha"]["value"] == pytest.approx(0.79)
    assert body["months"][0]["exact_agreement"]["value"] == pytest.approx(7 / 8)  # 3 of 4 evidence + 4 of 4 substantive
    assert body["splits"] == [by_key(body)["questions"]["trait_id"], evidence_id]


def test_the_range_limits_the_conversations(login_as, calibration_school):
    client, _ = login_as("principal")
    body = api(client, calibration_school, date_from="2025-11-01", date_to="2025-11-30").get_json()
    assert [m["key"] for m in body["months"]] == ["2025-11"] and by_key(body)["evidence"]["exact_agreement"]["n"] == 0


def test_deleted_logs_and_lone_logs_do_not_count(db, login_as, calibration_school, observers):
    co_listen(db, calibration_school, observers[:2], ({"action": 2}, {"action": 0}),
              local(calibration_school, "2025-10-20 09:00"), deleted=(1,))
    co_listen(db, calibration_school, observers[:2], ({"action": 2}, None), local(calibration_school, "2025-10-21 09:00"))
    db.session.commit()
    client, _ = login_as("principal")
    assert by_key(api(client, calibration_school).get_json())["action"]["exact_agreement"]["n"] == 0


def test_principals_see_each_observers_lean(login_as, calibration_school, observers):
    client, _ = login_as("principal")
    body = api(client, calibration_school).get_json()
    assert body["drift_scope"] == "all"
    questions_id = by_key(body)["questions"]["trait_id"]
    lean = {d["name"]: {t["trait_id"]: t for t in d["traits"]} for d in body["drift"]}
    assert {k: (v["conversations"], v["above"], v["below"]) for k, v in
            {name: traits[questions_id] for name, traits in lean.items()}.items()} == {
        "Observer A": (4, 0, 2), "Observer B": (4, 1, 1), "Observer C": (2, 1, 0)}


def test_an_observer_sees_only_their_own_lean(app, calibration_school, observers):
    client = signed_in(app, observers[1])
    body = api(client, calibration_school).get_json()
    assert body["drift_scope"] == "own" and [d["name"] for d in body["drift"]] == ["Observer B"]
    assert body["drift"][0]["is_self"] is True


def test_a_viewer_sees_agreement_but_nobody_s_lean_nor_notes(login_as, calibration_school):
    client, _ = login_as("viewer")
    response = api(client, calibration_school)
    assert response.status_code == 200 and response.get_json()["drift"] == []
    assert response.get_json()["drift_scope"] == "none"
    page = client.get(f"/schools/{calibration_school.id}/dashboard/calibration")
    assert page.status_code == 200 and b"Observer A" not in page.data and NOTE.encode() not in page.data
    assert b"Evidence" in page.data


def test_another_schools_co_listens_never_count(db, login_as, calibration_school, other_school):
    others = [factories.create_user("observer", other_school) for _ in range(2)]
    for day in range(5):
        co_listen(db, other_school, others, ({"action": 2}, {"action": 0}), local(other_school, f"2025-10-1{day} 09:00"))
    db.session.commit()
    client, _ = login_as("principal")
    assert by_key(api(client, calibration_school).get_json())["action"]["exact_agreement"]["n"] == 0
    assert api(client, other_school).status_code == 404
    outsider, _ = login_as("principal", target_school=other_school)
    assert by_key(api(outsider, other_school).get_json())["action"]["apart_by_two"] == 5


@pytest.mark.parametrize("query", [{"date_from": "2025-11-01", "date_to": "2025-10-01"}, {"date_from": "tomorrow"},
                                   {"start": "2025-10-01"}, {"rubric_id": "0"}, {"date_from": "3025-01-01"},
                                   {"date_from": "2015-01-01", "date_to": "2025-01-01"}])
def test_bad_ranges_are_a_clear_422(login_as, calibration_school, query):
    client, _ = login_as("principal")
    response = api(client, calibration_school, **query)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_the_district_report_is_for_district_admins(login_as, calibration_school):
    admin, _ = login_as("district_admin")
    body = admin.get(f"/api/v1/calibration/districts/{calibration_school.district_id}").get_json()
    assert body["school_id"] is None and [s["school_id"] for s in body["schools"]] == [calibration_school.id]
    assert by_key(body)["evidence"]["alpha"]["value"] == pytest.approx(0.79)
    principal, _ = login_as("principal")
    assert principal.get(f"/api/v1/calibration/districts/{calibration_school.district_id}").status_code == 403
    page = admin.get(f"/district/{calibration_school.district_id}/calibration")
    assert page.status_code == 200 and b"school by school" in page.data


def test_the_page_shows_figures_readings_and_the_team_split(login_as, calibration_school):
    client, _ = login_as("principal")
    page = client.get(f"/schools/{calibration_school.id}/dashboard/calibration?setting=formal")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "0.79" in text and "Tentative" in text and "Where the team splits most" in text
    assert "alpha is undefined" in text and "Observer C" in text
    assert not re.search(r"\bnan\b", text, re.IGNORECASE), "a NaN shown as a figure"  # a word: the CSP nonce is random


def test_the_quality_heatmap_says_how_well_calibrated_each_trait_is(login_as, calibration_school):
    client, _ = login_as("viewer")
    text = client.get(f"/schools/{calibration_school.id}/dashboard/quality").get_data(as_text=True)
    assert "Evidence: observers agree 75 %, alpha 0.79, n 4: read its cells with some care." in text
    assert "Action: not co-listened in this range." in text


def test_only_counted_logs_of_the_fixture_are_marked_counted(db, calibration_school):
    counted = db.session.scalars(select(Observation.counted).where(Observation.school_id == calibration_school.id)).all()
    assert counted.count(True) == 8


def test_a_new_or_deleted_co_listen_shows_at_once_though_figures_are_remembered(db, login_as, calibration_school,
                                                                                   observers):
    client, _ = login_as("principal")
    assert by_key(api(client, calibration_school).get_json())["action"]["exact_agreement"]["n"] == 0
    _session, logs = co_listen(db, calibration_school, observers[:2], ({"action": 2}, {"action": 0}),
                               local(calibration_school, "2025-10-22 09:00"))
    db.session.commit()
    assert by_key(api(client, calibration_school).get_json())["action"]["apart_by_two"] == 1
    logs[1].deleted_at = logs[1].observed_at  # an edit through the ORM names its school: the counter moves
    db.session.commit()
    assert by_key(api(client, calibration_school).get_json())["action"]["exact_agreement"]["n"] == 0


@pytest.mark.parametrize("query", ["date_from=someday", "date_from=2025-11-02&date_to=2025-11-01", "rubric_id=x"])
def test_a_bad_filter_on_the_page_says_what_to_fix_inside_the_dashboard(login_as, calibration_school, query):
    client, _ = login_as("principal")
    page = client.get(f"/schools/{calibration_school.id}/dashboard/calibration?{query}")
    assert page.status_code == 422 and 'id="filter-problems"' in page.get_data(as_text=True)
    admin, _ = login_as("district_admin")
    page = admin.get(f"/district/{calibration_school.district_id}/calibration?{query}")
    assert page.status_code == 422 and "filter-problems" in page.get_data(as_text=True)
