"""An id past the databases' INTEGER range is a 404 like any unknown id, never a 500 (PostgreSQL
refuses the comparison; the API fuzzer found it on DELETE /locations, /memberships and /invitations)."""
from __future__ import annotations

import pytest

TOO_BIG = 2**31  # one past PostgreSQL's INTEGER
ROUTES = [
    ("GET", f"/api/v1/schools/{TOO_BIG}"),
    ("PATCH", f"/api/v1/locations/{TOO_BIG}"),
    ("DELETE", f"/api/v1/locations/{TOO_BIG}"),
    ("DELETE", f"/api/v1/memberships/{TOO_BIG}"),
    ("DELETE", f"/api/v1/invitations/{TOO_BIG}"),
    ("GET", f"/api/v1/schools/{2**63}/locations"),
]


@pytest.mark.parametrize("method, url", ROUTES)
def test_an_id_beyond_the_integer_range_is_a_404_problem(login_as, method, url):
    client, _user = login_as("principal")

    response = client.open(url, method=method, json={"name": "Gym"} if method == "PATCH" else None)

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_the_largest_integer_id_is_still_looked_up(login_as):
    client, _user = login_as("principal")

    assert client.delete(f"/api/v1/locations/{2**31 - 1}").status_code == 404
