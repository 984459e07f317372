"""Who sees what: aggregates for every role, raw notes never for viewers, the district view for district admins,
and CSV exports that match the table, defuse formulas and are audited."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from tests import factories
from tests.heatmaps.conftest import add_observation, add_walk, get_json, table_cell

HALL, ROOM = "Main hallway", "Room 204 (PLC)"


@pytest.fixture()
def logged(db, school):
    walk = add_walk(db, school, "2026-11-10 08:30", "2026-11-10 09:30")
    add_observation(db, school, "2026-11-10 08:40", HALL, walk, {"substantive": 2}, team="=HYPERLINK(\"x\")",
                    note="Asked about Friday's exit tickets")
    add_observation(db, school, "2026-11-10 15:30", ROOM, None, {"evidence": 1}, setting="formal", kind="plc",
                    note="+ planning the unit test")
    db.session.commit()
    return school


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("role", ["district_admin", "principal", "observer", "viewer"])
def test_every_role_of_the_school_sees_its_aggregates(login_as, logged, role):
    client, _ = login_as(role)

    assert client.get(f"/api/v1/heatmaps/schools/{logged.id}/quality").status_code == 200


def test_another_schools_heatmap_is_not_found(login_as, logged, other_school):
    client, _ = login_as("principal")

    response = client.get(f"/api/v1/heatmaps/schools/{other_school.id}/frequency")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("role", ["observer", "viewer"])
def test_only_principals_and_district_admins_filter_by_observer(login_as, logged, role):
    client, user = login_as(role)

    response = client.get(f"/api/v1/heatmaps/schools/{logged.id}/frequency", query_string={"observer_id": user.id})
    assert response.status_code == 403


def test_a_misspelt_filter_is_a_clear_422(login_as, logged):
    client, _ = login_as("principal")

    response = client.get(f"/api/v1/heatmaps/schools/{logged.id}/quality", query_string={"setings": "formal"})
    assert response.status_code == 422
    assert "setings" in response.get_json()["errors"]["query"]


def test_a_start_after_the_end_is_refused(login_as, logged):
    client, _ = login_as("principal")

    response = client.get(f"/api/v1/heatmaps/schools/{logged.id}/quality",
                          query_string={"date_from": "2026-12-01", "date_to": "2026-11-01"})
    assert response.status_code == 422


def test_a_rubric_of_another_district_is_not_found(db, login_as, logged, other_school):
    from server.rubrics.models import Rubric

    rubric = Rubric(district_id=other_school.district_id, key="theirs", name="Their rubric")
    db.session.add(rubric)
    db.session.commit()
    client, _ = login_as("principal")

    response = client.get(f"/api/v1/heatmaps/schools/{logged.id}/quality", query_string={"rubric_id": rubric.id})
    assert response.status_code == 404


def test_district_admins_compare_the_schools_of_their_district(db, login_as, logged):
    sister = factories.create_school(name="Sister Elementary", district=logged.district)
    add_observation(db, sister, "2026-11-10 09:00", HALL, None, {"substantive": 1, "evidence": 1})
    db.session.commit()
    client, _ = login_as("district_admin")

    body = get_json(client, f"/api/v1/heatmaps/districts/{logged.district_id}/quality")
    assert [row["label"] for row in body["rows"]] == ["Lincoln Middle School", "Sister Elementary", "All schools"]
    assert table_cell(body, "Sister Elementary", "Evidence")["value"] == 1.0
    assert table_cell(body, "All schools", "Substantive")["n"] == 3


def test_the_district_view_counts_conversations_per_hour_by_school_and_weekday(login_as, logged):
    client, _ = login_as("district_admin")

    body = get_json(client, f"/api/v1/heatmaps/districts/{logged.district_id}/frequency")
    tuesday = table_cell(body, "Lincoln Middle School", "Tuesday")
    assert (tuesday["walked"], tuesday["hours"], tuesday["value"]) == (1, pytest.approx(1.0), pytest.approx(1.0))


@pytest.mark.parametrize("role", ["principal", "observer", "viewer"])
def test_a_principal_sees_only_their_school_not_the_district_view(login_as, logged, role):
    client, _ = login_as(role)

    assert client.get(f"/api/v1/heatmaps/districts/{logged.district_id}/quality").status_code == 403
    assert client.get(f"/district/{logged.district_id}").status_code == 403


def test_a_district_out_of_reach_is_not_found(login_as, logged, other_school):
    client, _ = login_as("district_admin")

    assert client.get(f"/api/v1/heatmaps/districts/{other_school.district_id}/quality").status_code == 404


def test_table_csv_has_exactly_the_cells_of_the_table(login_as, logged):
    client, _ = login_as("viewer")
    body = get_json(client, f"/api/v1/heatmaps/schools/{logged.id}/quality", by="setting")

    rows = rows_of(client.get(f"/schools/{logged.id}/dashboard/quality.csv", query_string={"by": "setting"}))
    assert rows[1] == ["Trait"] + [text for c in body["columns"] for text in (c["label"], f"{c['label']} (n)")]
    evidence = next(row for row in rows if row[0] == "Evidence")
    assert evidence[3:5] == ["100% (too few to read)", "1"]  # Formal: 1 of 1
    assert len([row for row in rows if row[0] in {r["label"] for r in body["rows"]}]) == len(body["rows"])


def test_csv_cells_that_look_like_formulas_are_defused(login_as, logged):
    client, _ = login_as("principal")

    rows = rows_of(client.get(f"/schools/{logged.id}/dashboard/quality.csv", query_string={"by": "team"}))
    assert "'=HYPERLINK(\"x\")" in rows[1]
    observations = rows_of(client.get(f"/schools/{logged.id}/dashboard/observations.csv"))
    assert "'+ planning the unit test" in [row[-1] for row in observations]


def test_principals_export_the_observations_with_their_notes(login_as, logged):
    client, _ = login_as("principal")

    rows = rows_of(client.get(f"/schools/{logged.id}/dashboard/observations.csv"))
    assert rows[0][-1] == "note"
    assert len(rows) == 3
    assert "Asked about Friday's exit tickets" in [row[-1] for row in rows]


@pytest.mark.parametrize("role", ["observer", "viewer"])
def test_viewers_and_observers_cannot_export_observations(login_as, logged, role):
    client, _ = login_as(role)

    response = client.get(f"/schools/{logged.id}/dashboard/observations.csv")
    assert response.status_code == 403
    assert "exit tickets" not in response.get_data(as_text=True)


def test_viewers_never_see_notes_on_any_dashboard_page(login_as, logged):
    client, _ = login_as("viewer")

    for path in ("dashboard", "dashboard/frequency", "dashboard/quality", "dashboard/trends", "dashboard/quality.csv"):
        response = client.get(f"/schools/{logged.id}/{path}")
        assert response.status_code == 200, path
        assert "exit tickets" not in response.get_data(as_text=True), path


def test_every_export_is_audited_without_its_content(db, login_as, logged):
    client, user = login_as("principal")

    client.get(f"/schools/{logged.id}/dashboard/frequency.csv")
    client.get(f"/schools/{logged.id}/dashboard/observations.csv")
    db.session.expire_all()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.csv").order_by(AuditEvent.id)).all()
    assert [(e.actor_id, e.school_id, e.object_type) for e in events] == [
        (user.id, logged.id, "heatmap"), (user.id, logged.id, "observations")]
    assert events[1].details == {"view": "observations", "rows": 2, "notes": True}
    assert "exit tickets" not in str([e.details for e in events])
