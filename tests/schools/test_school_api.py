"""Schools: the list, one school's settings, changing them, and adding a school."""
import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.schools.models import Period, School
from tests import factories


def test_school_list_shows_reachable_schools_with_role(login_as, school, other_school):
    client, _ = login_as("observer")
    response = client.get("/api/v1/schools")
    assert response.status_code == 200
    assert response.get_json() == [{"id": school.id, "name": "Lincoln Middle School", "district_id": school.district_id,
                                    "timezone": "America/Chicago", "role": "observer"}]


def test_district_admin_lists_every_school_of_the_district(login_as, school, other_school):
    sister = factories.create_school(name="Adams Elementary", district=school.district)
    client, _ = login_as("district_admin")
    names = [s["name"] for s in client.get("/api/v1/schools").get_json()]
    assert names == ["Adams Elementary", "Lincoln Middle School"]
    assert sister.id in [s["id"] for s in client.get("/api/v1/schools").get_json()]


def test_viewer_sees_school_settings(login_as, school):
    client, _ = login_as("viewer")
    body = client.get(f"/api/v1/schools/{school.id}").get_json()
    assert body == {"id": school.id, "name": "Lincoln Middle School", "district_id": school.district_id,
                    "timezone": "America/Chicago", "role": "viewer", "district_name": school.district.name,
                    "min_cell_n": 5, "min_listening_hours": 1.0, "walk_idle_minutes": 20,
                    "note_retention_days": None}


def test_principal_changes_settings(login_as, school, db):
    client, _ = login_as("principal")
    response = client.patch(f"/api/v1/schools/{school.id}", json={
        "name": "Lincoln Middle", "timezone": "America/Denver", "min_cell_n": 8,
        "walk_idle_minutes": 30, "note_retention_days": 365,
    })
    assert response.status_code == 200
    assert response.get_json()["timezone"] == "America/Denver"
    db.session.expire_all()
    stored = db.session.get(School, school.id)
    assert (stored.name, stored.timezone, stored.min_cell_n, stored.walk_idle_minutes, stored.note_retention_days) == (
        "Lincoln Middle", "America/Denver", 8, 30, 365)


def test_settings_change_is_audited_with_field_names(login_as, school, db):
    client, user = login_as("principal")
    client.patch(f"/api/v1/schools/{school.id}", json={"min_cell_n": 9, "walk_idle_minutes": 20})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "school.settings_changed"))
    assert (event.actor_id, event.school_id, event.details) == (user.id, school.id, {"fields": ["min_cell_n"]})


def test_note_retention_can_be_cleared(login_as, school, db):
    client, _ = login_as("principal")
    client.patch(f"/api/v1/schools/{school.id}", json={"note_retention_days": 30})
    response = client.patch(f"/api/v1/schools/{school.id}", json={"note_retention_days": None})
    assert response.get_json()["note_retention_days"] is None


@pytest.mark.parametrize("body, field", [
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"timezone": 5}, "timezone"),
    ({"min_cell_n": 0}, "min_cell_n"),
    ({"min_cell_n": 101}, "min_cell_n"),
    ({"min_cell_n": "5"}, "min_cell_n"),
    ({"min_cell_n": True}, "min_cell_n"),
    ({"min_cell_n": 2**64}, "min_cell_n"),
    ({"walk_idle_minutes": 4}, "walk_idle_minutes"),
    ({"walk_idle_minutes": 2.5}, "walk_idle_minutes"),
    ({"note_retention_days": 6}, "note_retention_days"),
    ({"note_retention_days": 3651}, "note_retention_days"),
    ({"name": "   "}, "name"),
    ({"name": "Lincoln\x00"}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"district_id": 7}, "district_id"),
])
def test_invalid_settings_are_refused_and_nothing_changes(login_as, school, db, body, field):
    client, _ = login_as("principal")
    response = client.patch(f"/api/v1/schools/{school.id}", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]["json"]
    db.session.expire_all()
    stored = db.session.get(School, school.id)
    assert (stored.name, stored.timezone, stored.min_cell_n) == ("Lincoln Middle School", "America/Chicago", 5)


def test_empty_settings_change_is_refused(login_as, school):
    client, _ = login_as("principal")
    assert client.patch(f"/api/v1/schools/{school.id}", json={}).status_code == 422


def test_settings_body_must_be_json(login_as, school):
    client, _ = login_as("principal")
    response = client.patch(f"/api/v1/schools/{school.id}", data="min_cell_n=3",
                            content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


@pytest.mark.parametrize("role", ["observer", "viewer"])
def test_observers_and_viewers_cannot_change_settings(login_as, school, role):
    client, _ = login_as(role)
    response = client.patch(f"/api/v1/schools/{school.id}", json={"min_cell_n": 9})
    assert response.status_code == 403
    assert client.get(f"/api/v1/schools/{school.id}").get_json()["min_cell_n"] == 5


def test_district_admin_changes_settings(login_as, school):
    client, _ = login_as("district_admin")
    assert client.patch(f"/api/v1/schools/{school.id}", json={"min_cell_n": 3}).status_code == 200


def test_district_admin_adds_a_school_with_the_default_schedule(login_as, school, db):
    client, user = login_as("district_admin")
    response = client.post("/api/v1/schools", json={"name": "Jefferson High", "timezone": "America/Chicago"})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["name"], body["district_id"], body["role"]) == ("Jefferson High", school.district_id, "district_admin")
    periods = db.session.scalars(select(Period).where(Period.school_id == body["id"]).order_by(Period.starts_at)).all()
    assert [(p.name, f"{p.starts_at:%H:%M}", f"{p.ends_at:%H:%M}") for p in periods][:2] == [
        ("Before school", "07:30", "08:00"), ("Period 1", "08:00", "08:55")]
    assert (len(periods), periods[-1].name, f"{periods[-1].ends_at:%H:%M}") == (9, "After school", "16:00")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "school.created")).actor_id == user.id


def test_new_school_is_reachable_by_its_district_admin(login_as, school):
    client, _ = login_as("district_admin")
    created = client.post("/api/v1/schools", json={"name": "Jefferson High", "timezone": "America/Chicago"}).get_json()
    assert client.get(f"/api/v1/schools/{created['id']}").status_code == 200


@pytest.mark.parametrize("role", ["principal", "observer", "viewer"])
def test_only_district_admins_add_schools(login_as, school, db, role):
    client, _ = login_as(role)
    response = client.post("/api/v1/schools", json={"name": "Jefferson High", "timezone": "America/Chicago"})
    assert response.status_code == 403
    assert db.session.scalar(select(School).where(School.name == "Jefferson High")) is None


def test_district_admin_cannot_add_a_school_to_another_district(login_as, school, other_school, db):
    client, _ = login_as("district_admin")
    response = client.post("/api/v1/schools", json={
        "name": "Jefferson High", "timezone": "America/Chicago", "district_id": other_school.district_id})
    assert response.status_code == 404
    assert db.session.scalar(select(School).where(School.name == "Jefferson High")) is None


def test_new_school_needs_a_known_timezone(login_as, school):
    client, _ = login_as("district_admin")
    response = client.post("/api/v1/schools", json={"name": "Jefferson High", "timezone": "Chicago"})
    assert response.status_code == 422
    assert "timezone" in response.get_json()["errors"]["json"]
