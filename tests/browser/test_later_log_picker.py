"""Closing a follow-up with a later log made on another phone: online, the picker lists the server's later logs
(the user's own from their other phone, and, for a principal, a colleague's), where it started first."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import pages

SHOTS = Path(os.environ.get("HALLPULSE_SHOTS", "/tmp/shots/i18-fixes"))

pytestmark = pytest.mark.browser


def log_on(page, place: str, traits: list[str], follow_up: str | None = None) -> None:
    pages.choose_place(page, place)
    for trait in traits:
        pages.tap_trait(page, trait)
    if follow_up:
        page.get_by_role("button", name="More details").click()
        page.get_by_label("Needs follow-up").check()
        capture = page.locator("#screen-capture")
        capture.get_by_label("What to do").fill(follow_up)
        capture.get_by_label("Listen again when it is due").check()
    pages.save(page)
    pages.sync_now(page)
    pages.wait_outbox_empty(page)


def test_a_follow_up_is_closed_on_phone_a_with_a_colleagues_log_from_phone_b(new_context, live_server, user):
    colleague = live_server.next_user()  # another principal of the school: a principal sees the school's logs
    phone_a = pages.signed_in_app(new_context(), user)
    pages.wait_synced(phone_a)
    log_on(phone_a, "Main hallway", ["Evidence"], follow_up="Hear the 7th-grade team plan a reteach")

    phone_b = pages.signed_in_app(new_context(), colleague)
    phone_b.wait_for_timeout(1100)  # heard at a later second than the follow-up's log
    log_on(phone_b, "Main hallway", ["Evidence", "Action"])
    other_phone = pages.signed_in_app(new_context(), user)  # the same leader's second phone
    log_on(other_phone, "Staff lounge", ["People"])
    logs = live_server.rows(
        "SELECT id, observer_id, location_id FROM observation WHERE observer_id IN (:a, :b) ORDER BY observed_at",
        a=user["id"], b=colleague["id"])
    source, colleagues, own_elsewhere = logs
    assert (colleagues["observer_id"], own_elsewhere["observer_id"]) == (colleague["id"], user["id"])

    phone_a.locator(".tabs").get_by_role("link", name="Follow-ups").click()
    entry = phone_a.locator("#follow-up-lists .entry").filter(has_text="Hear the 7th-grade team")
    entry.get_by_role("button", name="Complete: Hear the 7th-grade team plan a reteach").click()
    later = phone_a.get_by_label("A later log that shows it (optional)")
    options = later.locator("option")
    expect(options).to_have_count(3)  # None, then the server's two: where it started first
    texts = options.all_inner_texts()
    assert texts[0] == "None"
    assert texts[1].startswith("Colleague · Main hallway · ")
    assert texts[2].startswith("Staff lounge · ")
    phone_a.get_by_label("Yes, practice changed").check()
    phone_a.get_by_label("What changed, and how did you see it? (optional)").fill("They planned the reteach from the quiz")
    later.select_option(label=texts[1])
    form = phone_a.get_by_role("form", name="Complete the follow-up")
    SHOTS.mkdir(parents=True, exist_ok=True)
    form.get_by_role("button", name="Mark done").scroll_into_view_if_needed()
    phone_a.screenshot(path=str(SHOTS / f"later-log-picker-phone-{live_server.engine}.png"))
    phone_a.set_viewport_size({"width": 1366, "height": 768})
    form.get_by_role("button", name="Mark done").scroll_into_view_if_needed()
    phone_a.screenshot(path=str(SHOTS / f"later-log-picker-laptop-{live_server.engine}.png"))
    phone_a.set_viewport_size({"width": 390, "height": 844})
    phone_a.get_by_role("button", name="Mark done").click()
    expect(entry).to_contain_text("Done: practice changed, heard again")
    pages.sync_now(phone_a)
    pages.wait_outbox_empty(phone_a)

    (row,) = live_server.rows(
        "SELECT status, observation_id, evidence_observation_id FROM follow_up WHERE created_by_id = :user", user=user["id"])
    assert (row["status"], str(row["observation_id"]), str(row["evidence_observation_id"])) == (
        "done", str(source["id"]), str(colleagues["id"]))
