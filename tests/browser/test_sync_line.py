"""Every change to the outbox syncs by itself while online, and the sync line only says "synced"
when nothing waits."""
from __future__ import annotations

import time

import pytest

from tests.browser import pages

pytestmark = pytest.mark.browser
RECORD_LINE = """() => {
    window.__lines = [];
    const line = document.querySelector("#sync-status");
    const note = () => window.__lines.push([...line.querySelectorAll(".sync__line > span")]
        .map((part) => part.textContent).filter(Boolean).join(" · "));
    note();
    new MutationObserver(note).observe(line, { subtree: true, childList: true, characterData: true });
}"""


def wait_for_row(live_server, sql: str, timeout: float = 10, **params) -> dict:
    """Poll the server's database (no Sync now pressed) until `sql` returns a row."""
    end = time.monotonic() + timeout
    while True:
        rows = live_server.rows(sql, **params)
        if rows:
            return rows[0]
        assert time.monotonic() < end, f"no row after {timeout} s: {sql}"
        time.sleep(0.2)


def open_my_log(page):
    page.get_by_role("link", name="My log").click()
    page.locator("#screen-log").wait_for(state="visible")


def test_a_delete_while_online_reaches_the_server_without_sync_now(new_context, live_server, user):
    page = pages.signed_in_app(new_context(), user)
    pages.log_conversation(page, "Main hallway", {"Evidence": 1})
    pages.wait_synced(page)
    open_my_log(page)
    entry = page.locator(".entry", has_text="Main hallway")
    entry.get_by_role("button", name="Delete").click()
    entry.get_by_role("button", name="Tap again to delete").click()
    wait_for_row(live_server, "SELECT id FROM observation WHERE observer_id = :user AND deleted_at IS NOT NULL",
                 user=user["id"])


def test_an_edit_while_online_reaches_the_server_without_sync_now(new_context, live_server, user):
    page = pages.signed_in_app(new_context(), user)
    pages.log_conversation(page, "Main hallway", {"Evidence": 1})
    pages.wait_synced(page)
    open_my_log(page)
    page.locator(".entry", has_text="Main hallway").get_by_role("button", name="Edit").click()
    pages.tap_trait(page, "Action")
    page.get_by_role("button", name="Save changes").click()
    wait_for_row(live_server, "SELECT id FROM observation WHERE observer_id = :user AND version = 2", user=user["id"])


def test_ending_a_walk_while_online_reaches_the_server_without_sync_now(new_context, live_server, user):
    page = pages.signed_in_app(new_context(), user)
    pages.log_conversation(page, "Main hallway", {"Evidence": 1})
    pages.wait_synced(page)
    page.get_by_role("button", name="End walk").click()
    wait_for_row(live_server, "SELECT id FROM walk WHERE observer_id = :user AND ended_at IS NOT NULL", user=user["id"])


def test_the_sync_line_says_synced_only_when_nothing_waits(new_context, live_server, user):
    context = new_context()
    page = pages.signed_in_app(context, user)
    pages.log_conversation(page, "Main hallway", {"Evidence": 1})
    pages.wait_synced(page)
    page.evaluate(RECORD_LINE)

    context.set_offline(True)
    pages.log_conversation(page, "Staff lounge", {"People": 1})
    pages.log_conversation(page, "Main hallway", {"Questions": 1})
    pages.wait_words(page, "Offline · 2 logs waiting to sync")
    context.set_offline(False)
    pages.wait_synced(page)

    live_server.kill()  # online, but the server is down: the log waits and the line says so
    try:
        pages.log_conversation(page, "Staff lounge", {"Action": 1})
        pages.wait_words(page, "1 log waiting to sync · will retry")
    finally:
        live_server.start()
    pages.sync_now(page)
    pages.wait_synced(page)

    lines = page.evaluate("window.__lines")
    assert "Offline · 2 logs waiting to sync" in lines and "1 log waiting to sync · will retry" in lines
    assert [text for text in lines if "synced" in text and not text.startswith("All synced")] == []
    assert page.locator("#sync-words").inner_text().startswith("All synced · ")
