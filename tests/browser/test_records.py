"""Editing, deleting and an expired session, offline: what the server ends up holding."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import pages

pytestmark = pytest.mark.browser


def observation_rows(live_server, user_id: int) -> list[dict]:
    return live_server.rows(
        "SELECT id, version, deleted_at, location_id FROM observation WHERE observer_id = :user", user=user_id)


def levels(live_server, observation_id) -> dict[str, int]:
    rows = live_server.rows(
        "SELECT t.key, l.level FROM observation_trait_level l JOIN trait t ON t.id = l.trait_id "
        "WHERE l.observation_id = :id AND l.level > 0", id=observation_id)
    return {row["key"]: row["level"] for row in rows}


def open_my_log(page):
    page.get_by_role("link", name="My log").click()
    page.locator("#screen-log").wait_for(state="visible")


def test_expired_session_keeps_offline_logs_and_syncs_them_after_sign_in(new_context, live_server, user):
    context = new_context()
    page = pages.signed_in_app(context, user)
    pages.wait_synced(page)
    context.set_offline(True)
    pages.log_conversation(page, "Main hallway", {"Evidence": 1})
    pages.log_conversation(page, "Staff lounge", {"People": 2})
    live_server.execute("DELETE FROM auth_session WHERE user_id = :user", user=user["id"])

    context.set_offline(False)
    pages.wait_words(page, "Sign in to sync 2 pending")
    assert observation_rows(live_server, user["id"]) == []
    assert pages.pending_in_outbox(page) == 3  # two logs and the walk they started

    form = page.locator("#sync-status form")
    form.get_by_label("Email").fill(user["email"])
    form.get_by_label("Password").fill(user["password"])
    form.get_by_role("button", name="Sign in and sync").click()
    pages.wait_synced(page)
    assert len(observation_rows(live_server, user["id"])) == 2


def test_offline_edit_and_delete_reach_the_server(new_context, live_server, user):
    context = new_context()
    page = pages.signed_in_app(context, user)
    pages.log_conversation(page, "Main hallway", {"Evidence": 1})
    pages.log_conversation(page, "Staff lounge", {"People": 1})
    pages.wait_synced(page)
    assert len(observation_rows(live_server, user["id"])) == 2

    context.set_offline(True)
    open_my_log(page)
    hallway = page.locator(".entry", has_text="Main hallway")
    hallway.get_by_role("button", name="Edit").click()
    pages.tap_trait(page, "Action", 2)
    page.get_by_role("button", name="Save changes").click()
    open_my_log(page)
    lounge = page.locator(".entry", has_text="Staff lounge")
    lounge.get_by_role("button", name="Delete").click()
    lounge.get_by_role("button", name="Tap again to delete").click()
    page.locator(".entry", has_text="Staff lounge").wait_for(state="detached")
    pages.wait_words(page, "Offline · 2 logs waiting to sync")

    context.set_offline(False)
    pages.wait_synced(page)
    rows = {row["location_id"]: row for row in observation_rows(live_server, user["id"])}
    places = live_server.seed["places"]
    edited, deleted = rows[places["Main hallway"]], rows[places["Staff lounge"]]
    assert (edited["version"], edited["deleted_at"], levels(live_server, edited["id"])) == (2, None, {"evidence": 1, "action": 2})
    assert (deleted["version"], deleted["deleted_at"] is not None) == (2, True)


def test_a_delete_tapped_once_stays_armed_when_the_log_redraws(new_context, live_server, user):
    """A sync or another tab redraws My log between the two taps: the second tap still deletes."""
    context = new_context()
    page = pages.signed_in_app(context, user)
    pages.log_conversation(page, "Staff lounge", {"People": 1})
    pages.wait_synced(page)
    open_my_log(page)
    page.locator(".entry", has_text="Staff lounge").get_by_role("button", name="Delete").click()
    page.evaluate("import('/js/events.js').then((events) => events.emit('records-changed'))")
    lounge = page.locator(".entry", has_text="Staff lounge")
    lounge.get_by_role("button", name="Tap again to delete").click()
    lounge.wait_for(state="detached")
    pages.wait_synced(page)
    [row] = observation_rows(live_server, user["id"])
    assert row["deleted_at"] is not None


def test_arming_a_second_delete_disarms_the_first(new_context, live_server, user):
    """Delete tapped on one log, then on another: only the second asks for the second tap, and the first
    is not deleted by a later tap that meant to arm it."""
    context = new_context()
    page = pages.signed_in_app(context, user)
    pages.log_conversation(page, "Staff lounge", {"People": 1})
    pages.log_conversation(page, "Main hallway", {"Evidence": 1})
    pages.wait_synced(page)
    open_my_log(page)
    lounge, hallway = (page.locator(".entry", has_text=name) for name in ("Staff lounge", "Main hallway"))
    lounge.get_by_role("button", name="Delete").click()
    hallway.get_by_role("button", name="Delete").click()
    expect(lounge.get_by_role("button", name="Tap again to delete")).to_have_count(0)
    lounge.get_by_role("button", name="Delete").click()  # arms it again, deletes nothing
    expect(lounge.get_by_role("button", name="Tap again to delete")).to_be_visible()
    pages.wait_synced(page)
    assert all(row["deleted_at"] is None for row in observation_rows(live_server, user["id"]))


def test_stale_edit_of_another_trait_from_a_second_device_merges_with_the_server_version(new_context, live_server, user):
    """Each trait level is its own field: the tablet's level and the phone's level both stay (issue 14.5)."""
    phone = pages.signed_in_app(new_context(), user)
    pages.log_conversation(phone, "Main hallway", {"Evidence": 1})
    pages.wait_synced(phone)
    tablet_context = new_context()
    tablet = pages.signed_in_app(tablet_context, user)
    pages.wait_synced(tablet)
    open_my_log(tablet)
    tablet.locator(".entry", has_text="Main hallway").wait_for()

    tablet_context.set_offline(True)
    open_my_log(phone)
    phone.locator(".entry", has_text="Main hallway").get_by_role("button", name="Edit").click()
    pages.tap_trait(phone, "Questions")
    phone.get_by_role("button", name="Save changes").click()
    pages.wait_synced(phone)

    tablet.locator(".entry", has_text="Main hallway").get_by_role("button", name="Edit").click()
    pages.tap_trait(tablet, "People", 2)
    tablet.get_by_role("button", name="Save changes").click()
    tablet_context.set_offline(False)
    pages.wait_synced(tablet)

    (row,) = observation_rows(live_server, user["id"])
    assert (row["version"], levels(live_server, row["id"])) == (3, {"evidence": 1, "questions": 1, "people": 2})
    entry = tablet.locator(".entry", has_text="Main hallway")
    entry.get_by_text("Questions: heard").wait_for()
    entry.get_by_text("People: strong").wait_for()
