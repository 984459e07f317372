"""The school's least listening time behind a heatmap rate: 1 hour by default, changed by the API or the
settings page, refused outside 0.25–20 hours or when not a number."""
import pytest

from server.schools.models import School
from tests.schools.test_pages import overview, post_form


def stored_hours(db, school) -> float:
    db.session.expire_all()
    return db.session.get(School, school.id).min_listening_hours


def test_a_new_school_reads_rates_from_one_hour_of_listening(login_as, school):
    client, _ = login_as("viewer")
    assert client.get(f"/api/v1/schools/{school.id}").get_json()["min_listening_hours"] == 1.0


@pytest.mark.parametrize("hours", [0.25, 2, 2.5, 20])
def test_principal_sets_the_least_listening_hours_by_the_api(login_as, school, db, hours):
    client, _ = login_as("principal")
    response = client.patch(f"/api/v1/schools/{school.id}", json={"min_listening_hours": hours})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["min_listening_hours"] == hours
    assert stored_hours(db, school) == hours


@pytest.mark.parametrize("hours", [0, 0.2, 20.5, -1, "1.5", True, None, [1], 1e308 * 10])
def test_listening_hours_outside_the_range_or_not_a_number_are_refused(login_as, school, db, hours):
    client, _ = login_as("principal")
    response = client.patch(f"/api/v1/schools/{school.id}", json={"min_listening_hours": hours})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert stored_hours(db, school) == 1.0


def test_the_settings_page_saves_the_listening_hours(login_as, school, db):
    client, _ = login_as("principal")
    html = overview(client, school)
    assert 'name="min_listening_hours"' in html and 'value="1"' in html
    response = post_form(client, html, f"/schools/{school.id}/settings", {
        "name": "Lincoln Middle School", "timezone": "America/Chicago", "min_cell_n": "5",
        "min_listening_hours": "1.5", "walk_idle_minutes": "20", "note_retention_days": ""})
    assert response.status_code == 302
    assert stored_hours(db, school) == 1.5
    assert 'value="1.5"' in overview(client, school)


@pytest.mark.parametrize("hours", ["0", "many", "1.", "21", "\u00b2"])
def test_the_settings_page_refuses_bad_listening_hours_and_saves_nothing(login_as, school, db, hours):
    client, _ = login_as("principal")
    html = overview(client, school)
    response = post_form(client, html, f"/schools/{school.id}/settings", {
        "name": "Renamed", "timezone": "America/Chicago", "min_cell_n": "5", "min_listening_hours": hours,
        "walk_idle_minutes": "20", "note_retention_days": ""})
    assert response.status_code == 422
    assert "Least listening behind a rate (hours): " in response.get_data(as_text=True)
    db.session.expire_all()
    assert (db.session.get(School, school.id).name, stored_hours(db, school)) == ("Lincoln Middle School", 1.0)
