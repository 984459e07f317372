"""Signed out, a sign-in-only API write answers 401 whatever the CSRF state (found by the API fuzzer),
while a signed-in write without the token is still refused with a 400 and changes nothing."""
from __future__ import annotations

from sqlalchemy import select

from server.db import db as database
from server.schools.models import Location


def location_names(school) -> set[str]:
    database.session.expire_all()
    return set(database.session.scalars(select(Location.name).where(Location.school_id == school.id)))


def test_a_signed_out_write_without_a_session_or_token_is_a_401_problem(client, school):
    before = location_names(school)

    response = client.post(f"/api/v1/schools/{school.id}/locations", json={"name": "Gym", "kind": "lounge"}, csrf=False)

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert location_names(school) == before


def test_a_signed_in_write_without_the_token_is_still_a_400_and_stores_nothing(login_as, school):
    client, _user = login_as("principal")
    before = location_names(school)

    response = client.post(f"/api/v1/schools/{school.id}/locations", json={"name": "Gym", "kind": "lounge"}, csrf=False)

    assert response.status_code == 400
    assert location_names(school) == before


def test_signing_in_without_the_token_is_still_a_400(client):
    response = client.post("/api/v1/auth/login", json={"email": "a@example.org", "password": "x" * 12}, csrf=False)

    assert response.status_code == 400
