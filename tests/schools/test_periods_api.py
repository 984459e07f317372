"""The bell schedule: read it, replace it whole, reset it to the default day."""
import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.schools import service
from server.schools.models import Period

REAL_DAY = [
    {"name": "Period 1", "starts_at": "08:00", "ends_at": "08:50"},
    {"name": "Before school", "starts_at": "07:15", "ends_at": "07:55"},
    {"name": "Period 2", "starts_at": "08:55", "ends_at": "09:45"},
    {"name": "Lunch A", "starts_at": "11:30", "ends_at": "12:00"},
]


def stored_periods(db, school):
    db.session.expire_all()
    rows = db.session.scalars(select(Period).where(Period.school_id == school.id).order_by(Period.starts_at))
    return [(p.name, p.starts_at.strftime("%H:%M"), p.ends_at.strftime("%H:%M")) for p in rows]


def test_observer_reads_the_bell_schedule_by_start_time(login_as, school):
    client, _ = login_as("observer")
    response = client.get(f"/api/v1/schools/{school.id}/periods")
    assert response.status_code == 200
    assert [(p["name"], p["starts_at"], p["ends_at"]) for p in response.get_json()] == [
        ("Before school", "07:00", "08:00"), ("Period 1", "08:00", "09:00"), ("Period 2", "09:00", "10:00"),
        ("Lunch", "11:30", "12:15"), ("After school", "15:00", "17:00"),
    ]


def test_principal_replaces_the_bell_schedule_sorted_by_start(login_as, school, db):
    client, _ = login_as("principal")
    response = client.put(f"/api/v1/schools/{school.id}/periods", json=REAL_DAY)
    assert response.status_code == 200
    assert [p["name"] for p in response.get_json()] == ["Before school", "Period 1", "Period 2", "Lunch A"]
    assert stored_periods(db, school) == [
        ("Before school", "07:15", "07:55"), ("Period 1", "08:00", "08:50"),
        ("Period 2", "08:55", "09:45"), ("Lunch A", "11:30", "12:00"),
    ]


def test_periods_that_keep_their_name_keep_their_id(login_as, school):
    client, _ = login_as("principal")
    before = {p["name"]: p["id"] for p in client.get(f"/api/v1/schools/{school.id}/periods").get_json()}
    after = {p["name"]: p["id"] for p in client.put(f"/api/v1/schools/{school.id}/periods", json=REAL_DAY).get_json()}
    assert after["Period 1"] == before["Period 1"]
    assert after["Period 2"] == before["Period 2"]


def test_schedule_change_is_audited(login_as, school, db):
    client, user = login_as("principal")
    client.put(f"/api/v1/schools/{school.id}/periods", json=REAL_DAY)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "school.bell_schedule_changed"))
    assert (event.actor_id, event.school_id, event.details) == (user.id, school.id, {"periods": 4})


@pytest.mark.parametrize("periods, expected", [
    ([{"name": "A", "starts_at": "08:00", "ends_at": "09:00"}, {"name": "B", "starts_at": "08:30", "ends_at": "09:30"}],
     "overlaps"),
    ([{"name": "A", "starts_at": "09:00", "ends_at": "08:00"}], "must end after it starts"),
    ([{"name": "A", "starts_at": "09:00", "ends_at": "09:00"}], "must end after it starts"),
    ([{"name": "Lunch", "starts_at": "08:00", "ends_at": "09:00"}, {"name": "lunch", "starts_at": "10:00", "ends_at": "11:00"}],
     "Two periods are called"),
    ([], "between 1 and 20"),
    ([{"name": f"P{i}", "starts_at": f"{i:02d}:00", "ends_at": f"{i:02d}:30"} for i in range(21)], "between 1 and 20"),
])
def test_incoherent_schedule_is_refused_and_nothing_changes(login_as, school, db, periods, expected):
    client, _ = login_as("principal")
    before = stored_periods(db, school)
    response = client.put(f"/api/v1/schools/{school.id}/periods", json=periods)
    assert response.status_code == 422
    assert expected in response.get_data(as_text=True)
    assert stored_periods(db, school) == before


@pytest.mark.parametrize("period", [
    {"name": "A", "starts_at": "8:00", "ends_at": "09:00"},
    {"name": "A", "starts_at": "24:00", "ends_at": "09:00"},
    {"name": "A", "starts_at": "08:00:00", "ends_at": "09:00"},
    {"name": "A", "starts_at": 800, "ends_at": "09:00"},
    {"name": "", "starts_at": "08:00", "ends_at": "09:00"},
    {"name": "A", "starts_at": "08:00"},
    {"name": "A", "starts_at": "08:00", "ends_at": "09:00", "id": 3},
    {"name": "A", "starts_at": "08:00", "ends_at": "09:00", "school_id": 3},
])
def test_malformed_period_is_refused(login_as, school, db, period):
    client, _ = login_as("principal")
    before = stored_periods(db, school)
    response = client.put(f"/api/v1/schools/{school.id}/periods", json=[period])
    assert response.status_code == 422
    assert stored_periods(db, school) == before


def test_schedule_must_be_a_list(login_as, school):
    client, _ = login_as("principal")
    response = client.put(f"/api/v1/schools/{school.id}/periods", json={"name": "A", "starts_at": "08:00", "ends_at": "09:00"})
    assert response.status_code == 422


@pytest.mark.parametrize("role", ["observer", "viewer"])
def test_observers_and_viewers_cannot_replace_the_schedule(login_as, school, db, role):
    client, _ = login_as(role)
    before = stored_periods(db, school)
    assert client.put(f"/api/v1/schools/{school.id}/periods", json=REAL_DAY).status_code == 403
    assert client.post(f"/api/v1/schools/{school.id}/periods/reset", json={}).status_code == 403
    assert stored_periods(db, school) == before


def test_reset_gives_the_default_day(login_as, school, db):
    client, _ = login_as("principal")
    response = client.post(f"/api/v1/schools/{school.id}/periods/reset", json={})
    assert response.status_code == 200
    assert stored_periods(db, school) == [
        (p["name"], p["starts_at"].strftime("%H:%M"), p["ends_at"].strftime("%H:%M")) for p in service.default_periods()
    ]
    assert stored_periods(db, school)[0] == ("Before school", "07:30", "08:00")
    assert stored_periods(db, school)[-1] == ("After school", "14:30", "16:00")
