"""The app opens and captures with no network, and what was logged offline reaches the server once."""
from __future__ import annotations


import pytest

from tests.browser import pages

pytestmark = pytest.mark.browser


def observations_of(live_server, user_id: int) -> list[dict]:
    return live_server.rows(
        "SELECT o.id, o.location_id, o.observed_at, o.utc_offset_minutes, o.deleted_at, o.version, o.note "
        "FROM observation o WHERE o.observer_id = :user ORDER BY o.observed_at", user=user_id)


def levels_of(live_server, observation_id) -> dict[str, int]:
    rows = live_server.rows(
        "SELECT t.key, l.level FROM observation_trait_level l JOIN trait t ON t.id = l.trait_id "
        "WHERE l.observation_id = :id AND l.level > 0", id=observation_id)
    return {row["key"]: row["level"] for row in rows}


def test_cold_start_offline_capture_reaches_the_server_once(new_context, live_server, user):
    context = new_context()
    page = pages.signed_in_app(context, user)
    pages.wait_synced(page)

    context.set_offline(True)
    page.reload()
    page.locator("#screen-capture").wait_for(state="visible")
    pages.wait_words(page, "Offline")
    logs = [
        ("Main hallway", {"Substantive": 1, "Evidence": 2}),
        ("Staff lounge", {"People": 1}),
        ("Room 204 (PLC)", {"Questions": 2, "Action": 1}),
    ]
    for place, traits in logs:
        pages.log_conversation(page, place, traits)
    pages.wait_words(page, "Offline · 3 logs waiting to sync")
    assert observations_of(live_server, user["id"]) == []

    context.set_offline(False)
    pages.wait_synced(page)
    rows = observations_of(live_server, user["id"])
    places = live_server.seed["places"]
    assert sorted(((row["location_id"], levels_of(live_server, row["id"])) for row in rows), key=str) == sorted([
        (places["Main hallway"], {"substantive": 1, "evidence": 2}),
        (places["Staff lounge"], {"people": 1}),
        (places["Room 204 (PLC)"], {"questions": 2, "action": 1}),
    ], key=str)
    assert {row["utc_offset_minutes"] for row in rows} <= {-360, -300}  # America/Chicago, CST or CDT
