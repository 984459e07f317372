"""Another school's school, places, staff and invitations are exactly as invisible as ids that do not exist."""
import pytest
from sqlalchemy import select

from server.auth import service as auth_service
from server.auth.models import Invitation, Membership
from server.enums import LocationKind, Role
from server.schools.models import Location, Period, School
from tests import factories

UNKNOWN_ID = 987654
SECRET_NAMES = ("Riverside", "Far District", "Rita Rivers", "rita@riverside.example", "nina@riverside.example",
                "Riverside gym")


@pytest.fixture()
def foreign(db, other_school):
    """Ids of the other school's objects, which carry names that must never leak."""
    principal = factories.create_user("principal", other_school, email="rita@riverside.example", name="Rita Rivers")
    gym = Location(school_id=other_school.id, name="Riverside gym", kind=LocationKind.HALLWAY)
    db.session.add(gym)
    invitation, _ = auth_service.create_invitation(other_school, "nina@riverside.example", Role.VIEWER, principal)
    db.session.commit()
    membership = db.session.scalar(select(Membership).where(Membership.user_id == principal.id))
    return {"school": other_school.id, "location": gym.id, "membership": membership.id, "invitation": invitation.id}


ROUTES = [
    ("GET", "/api/v1/schools/{school}", None),
    ("PATCH", "/api/v1/schools/{school}", {"name": "Taken over"}),
    ("GET", "/api/v1/schools/{school}/periods", None),
    ("PUT", "/api/v1/schools/{school}/periods", [{"name": "X", "starts_at": "08:00", "ends_at": "09:00"}]),
    ("POST", "/api/v1/schools/{school}/periods/reset", {}),
    ("GET", "/api/v1/schools/{school}/locations", None),
    ("POST", "/api/v1/schools/{school}/locations", {"name": "Sneaky", "kind": "hallway"}),
    ("PATCH", "/api/v1/locations/{location}", {"name": "Renamed"}),
    ("DELETE", "/api/v1/locations/{location}", None),
    ("GET", "/api/v1/schools/{school}/members", None),
    ("PATCH", "/api/v1/memberships/{membership}", {"role": "viewer"}),
    ("DELETE", "/api/v1/memberships/{membership}", None),
    ("GET", "/api/v1/schools/{school}/invitations", None),
    ("POST", "/api/v1/schools/{school}/invitations", {"email": "spy@example.org", "role": "principal"}),
    ("DELETE", "/api/v1/invitations/{invitation}", None),
    ("GET", "/api/v1/rubrics?school_id={school}", None),
]


def call(client, method, template, body, ids):
    return client.open(template.format(**ids), method=method, json=body)


@pytest.mark.parametrize("role", ["principal", "observer", "district_admin"])
@pytest.mark.parametrize("method, template, body", ROUTES, ids=[f"{m} {t}" for m, t, _ in ROUTES])
def test_other_schools_ids_look_exactly_like_unknown_ids(login_as, foreign, role, method, template, body):
    client, _ = login_as(role)
    response = call(client, method, template, body, foreign)
    unknown = call(client, method, template, body, dict.fromkeys(foreign, UNKNOWN_ID))
    assert response.status_code == 404
    assert (response.status_code, response.get_data()) == (unknown.status_code, unknown.get_data())
    text = response.get_data(as_text=True)
    assert not [name for name in SECRET_NAMES if name in text]


@pytest.mark.parametrize("method, template, body", ROUTES, ids=[f"{m} {t}" for m, t, _ in ROUTES])
def test_other_schools_data_is_unchanged_after_every_attempt(login_as, foreign, db, method, template, body):
    client, _ = login_as("principal")
    call(client, method, template, body, foreign)
    db.session.expire_all()
    assert db.session.get(School, foreign["school"]).name == "Riverside High School"
    assert db.session.get(Location, foreign["location"]).name == "Riverside gym"
    assert db.session.get(Membership, foreign["membership"]).role == Role.PRINCIPAL
    assert db.session.get(Invitation, foreign["invitation"]) is not None
    assert len(db.session.scalars(select(Period).where(Period.school_id == foreign["school"])).all()) == 5


@pytest.mark.parametrize("method, template, body", ROUTES, ids=[f"{m} {t}" for m, t, _ in ROUTES])
def test_ids_beyond_any_integer_column_are_not_found(login_as, school, method, template, body):
    client, _ = login_as("principal")
    response = call(client, method, template, body, dict.fromkeys(["school", "location", "membership", "invitation"], 2**64))
    assert response.status_code in (404, 422)


def test_school_list_never_names_another_school(login_as, foreign):
    client, _ = login_as("district_admin")
    text = client.get("/api/v1/schools").get_data(as_text=True)
    assert not [name for name in SECRET_NAMES if name in text]
