"""Places: list, add, rename, archive or delete; names unique per school."""
import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.enums import LocationKind
from server.schools.models import Location
from tests.schools.helpers import log_conversation_at


def place(db, school, name):
    return db.session.scalar(select(Location).where(Location.school_id == school.id, Location.name == name))


def test_observer_lists_places_by_name(login_as, school):
    client, _ = login_as("observer")
    response = client.get(f"/api/v1/schools/{school.id}/locations")
    assert response.status_code == 200
    assert [(p["name"], p["kind"], p["archived"]) for p in response.get_json()] == [
        ("Main hallway", "hallway", False), ("Room 204 (PLC)", "meeting_room", False), ("Staff lounge", "lounge", False),
    ]


def test_principal_adds_a_place(login_as, school, db):
    client, user = login_as("principal")
    response = client.post(f"/api/v1/schools/{school.id}/locations", json={"name": " Library ", "kind": "library"})
    assert response.status_code == 201
    assert response.get_json() == {"id": response.get_json()["id"], "name": "Library", "kind": "library", "archived": False}
    assert place(db, school, "Library").kind.value == "library"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "location.created"))
    assert (event.actor_id, event.school_id) == (user.id, school.id)


@pytest.mark.parametrize("name", ["Staff lounge", "staff LOUNGE", "  Staff lounge  "])
def test_duplicate_place_name_is_a_conflict_with_a_clear_message(login_as, school, db, name):
    client, _ = login_as("principal")
    response = client.post(f"/api/v1/schools/{school.id}/locations", json={"name": name, "kind": "lounge"})
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert "already has a place called \u201cStaff lounge\u201d" in response.get_json()["detail"]
    count = len(db.session.scalars(select(Location).where(Location.school_id == school.id)).all())
    assert count == 3


def test_a_name_used_by_another_school_is_free_here(login_as, school, other_school, db):
    db.session.add(Location(school_id=other_school.id, name="Gym", kind=LocationKind.HALLWAY))
    db.session.commit()
    client, _ = login_as("principal")
    response = client.post(f"/api/v1/schools/{school.id}/locations", json={"name": "Gym", "kind": "hallway"})
    assert response.status_code == 201


@pytest.mark.parametrize("body", [
    {"name": "Gym"},
    {"name": "Gym", "kind": "gymnasium"},
    {"name": "", "kind": "hallway"},
    {"name": "x" * 81, "kind": "hallway"},
    {"name": "Gym\x07", "kind": "hallway"},
    {"name": 5, "kind": "hallway"},
    {"name": "Gym", "kind": "hallway", "archived": True},
    {"name": "Gym", "kind": "hallway", "school_id": 1},
])
def test_invalid_place_is_refused(login_as, school, db, body):
    client, _ = login_as("principal")
    assert client.post(f"/api/v1/schools/{school.id}/locations", json=body).status_code == 422
    assert len(db.session.scalars(select(Location).where(Location.school_id == school.id)).all()) == 3


def test_principal_renames_a_place(login_as, school, db):
    client, _ = login_as("principal")
    lounge = place(db, school, "Staff lounge")
    response = client.patch(f"/api/v1/locations/{lounge.id}", json={"name": "Teachers' lounge"})
    assert response.status_code == 200
    assert response.get_json()["name"] == "Teachers' lounge"
    assert place(db, school, "Teachers' lounge").id == lounge.id


def test_renaming_a_place_to_its_own_name_in_other_case_is_fine(login_as, school, db):
    client, _ = login_as("principal")
    lounge = place(db, school, "Staff lounge")
    assert client.patch(f"/api/v1/locations/{lounge.id}", json={"name": "Staff Lounge"}).status_code == 200


def test_renaming_onto_another_place_is_a_conflict(login_as, school, db):
    client, _ = login_as("principal")
    lounge = place(db, school, "Staff lounge")
    response = client.patch(f"/api/v1/locations/{lounge.id}", json={"name": "Main hallway"})
    assert response.status_code == 409
    assert place(db, school, "Staff lounge") is not None


def test_unused_place_is_deleted(login_as, school, db):
    client, _ = login_as("principal")
    lounge = place(db, school, "Staff lounge")
    response = client.delete(f"/api/v1/locations/{lounge.id}")
    assert response.status_code == 204
    db.session.expire_all()
    assert db.session.get(Location, lounge.id) is None
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "location.deleted")) is not None


def test_place_with_logged_conversations_is_archived_not_deleted(login_as, school, db):
    client, _ = login_as("principal")
    lounge = place(db, school, "Staff lounge")
    log_conversation_at(db, lounge)
    response = client.delete(f"/api/v1/locations/{lounge.id}")
    assert response.status_code == 200
    assert response.get_json()["archived"] is True
    db.session.expire_all()
    assert db.session.get(Location, lounge.id).archived is True


def test_archived_place_leaves_the_list_unless_asked_for(login_as, school, db):
    client, _ = login_as("principal")
    lounge = place(db, school, "Staff lounge")
    log_conversation_at(db, lounge)
    client.delete(f"/api/v1/locations/{lounge.id}")
    listed = [p["name"] for p in client.get(f"/api/v1/schools/{school.id}/locations").get_json()]
    everything = client.get(f"/api/v1/schools/{school.id}/locations?include_archived=true").get_json()
    assert "Staff lounge" not in listed
    assert ("Staff lounge", True) in [(p["name"], p["archived"]) for p in everything]


def test_archived_place_can_be_restored(login_as, school, db):
    client, _ = login_as("principal")
    lounge = place(db, school, "Staff lounge")
    log_conversation_at(db, lounge)
    client.delete(f"/api/v1/locations/{lounge.id}")
    response = client.patch(f"/api/v1/locations/{lounge.id}", json={"archived": False})
    assert response.get_json()["archived"] is False


def test_archived_name_still_counts_as_taken(login_as, school, db):
    client, _ = login_as("principal")
    lounge = place(db, school, "Staff lounge")
    log_conversation_at(db, lounge)
    client.delete(f"/api/v1/locations/{lounge.id}")
    response = client.post(f"/api/v1/schools/{school.id}/locations", json={"name": "Staff lounge", "kind": "lounge"})
    assert response.status_code == 409
    assert "restore it" in response.get_json()["detail"]


@pytest.mark.parametrize("body", [{}, {"archived": "yes"}, {"archived": 1}, {"kind": "roof"}, {"school_id": 2}])
def test_invalid_place_change_is_refused(login_as, school, db, body):
    client, _ = login_as("principal")
    lounge = place(db, school, "Staff lounge")
    assert client.patch(f"/api/v1/locations/{lounge.id}", json=body).status_code == 422


def test_unknown_query_filter_is_refused(login_as, school):
    client, _ = login_as("observer")
    assert client.get(f"/api/v1/schools/{school.id}/locations?include_archive=true").status_code == 422


@pytest.mark.parametrize("role", ["observer", "viewer"])
def test_observers_and_viewers_cannot_manage_places(login_as, school, db, role):
    client, _ = login_as(role)
    lounge = place(db, school, "Staff lounge")
    assert client.post(f"/api/v1/schools/{school.id}/locations", json={"name": "Gym", "kind": "hallway"}).status_code == 403
    assert client.patch(f"/api/v1/locations/{lounge.id}", json={"name": "Lounge"}).status_code == 403
    assert client.delete(f"/api/v1/locations/{lounge.id}").status_code == 403
    db.session.expire_all()
    assert db.session.get(Location, lounge.id).name == "Staff lounge"
