"""Endpoints with NUL or control characters are a 422 at the boundary, never a database error
(PostgreSQL refuses NUL in text: the API fuzzer found the unsubscribe case as a 500)."""
from __future__ import annotations

import pytest

URL = "/api/v1/push/subscriptions"
BAD_ENDPOINTS = ["https://push.example.org/\x00abc", "https://push.example.org/\x03abc", "https://push.example.org/\ud8b9"]


@pytest.mark.parametrize("endpoint", BAD_ENDPOINTS)
def test_unsubscribing_a_malformed_endpoint_is_a_422(login_as, endpoint):
    client, _user = login_as("observer")

    response = client.delete(URL, json={"endpoint": endpoint})

    assert response.status_code == 422
    assert "endpoint" in response.get_json()["errors"]["json"]


@pytest.mark.parametrize("endpoint", BAD_ENDPOINTS)
def test_subscribing_a_malformed_endpoint_is_a_422(login_as, endpoint):
    client, _user = login_as("observer")
    keys = {"p256dh": "B" + "A" * 86, "auth": "A" * 22}

    response = client.post(URL, json={"endpoint": endpoint, "keys": keys})

    assert response.status_code == 422
    assert "endpoint" in response.get_json()["errors"]["json"]
