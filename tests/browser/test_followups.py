"""Follow-ups on the phone: made from a log and completed offline, through the outbox, once each."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import pages

SHOTS = Path(os.environ.get("HALLPULSE_SHOTS", "/tmp/shots/i18-results"))

pytestmark = pytest.mark.browser


def follow_ups_of(live_server, user_id: int) -> list[dict]:
    return live_server.rows(
        "SELECT id, observation_id, owner_id, action, status, changed_practice, outcome_note, version "
        "FROM follow_up WHERE created_by_id = :user", user=user_id)


def add_follow_up_on_the_tab(page, action: str) -> None:
    page.locator(".tabs").get_by_role("link", name="Follow-ups").click()
    page.get_by_role("button", name="New follow-up").click()
    form = page.get_by_role("form", name="New follow-up")
    form.get_by_label("What to do").fill(action)
    form.get_by_role("button", name="Add follow-up").click()
    page.locator("#toast").get_by_text("Follow-up added").wait_for()


def test_follow_up_made_offline_from_a_log_reaches_the_server_once_linked_to_it(new_context, live_server, user):
    context = new_context()
    page = pages.signed_in_app(context, user)
    pages.wait_synced(page)
    context.set_offline(True)
    pages.choose_place(page, "Main hallway")
    pages.tap_trait(page, "Action")
    page.get_by_role("button", name="More details").click()
    page.get_by_label("Needs follow-up").check()
    page.locator("#screen-capture").get_by_label("What to do").fill("Ask the team how the exit tickets went")
    pages.save(page)
    assert follow_ups_of(live_server, user["id"]) == []

    pages.back_online_and_synced(context, page)
    (row,) = follow_ups_of(live_server, user["id"])
    (observation,) = live_server.rows("SELECT id FROM observation WHERE observer_id = :user", user=user["id"])
    assert (str(row["observation_id"]), row["owner_id"], row["action"], row["status"]) == (
        str(observation["id"]), user["id"], "Ask the team how the exit tickets went", "open")


def test_follow_up_completed_offline_is_done_on_the_server_with_its_outcome(new_context, live_server, user):
    context = new_context()
    page = pages.signed_in_app(context, user)
    add_follow_up_on_the_tab(page, "Check the PLC used the new protocol")
    pages.wait_outbox_empty(page)
    pages.wait_cached(page, pages.CLOSING)  # on demand: warmed while the phone was online and idle
    context.set_offline(True)
    page.get_by_role("button", name="Complete: Check the PLC used the new protocol").click()
    page.get_by_label("Yes, practice changed").check()
    page.get_by_label("What changed, and how did you see it? (optional)").fill("Protocol on the agenda, notes kept")
    page.get_by_role("button", name="Mark done").click()
    page.locator("#toast").get_by_text("Follow-up done").wait_for()

    pages.back_online_and_synced(context, page)
    (row,) = follow_ups_of(live_server, user["id"])
    assert (row["status"], row["changed_practice"], row["outcome_note"], row["version"]) == (
        "done", True, "Protocol on the agenda, notes kept", 2)


def test_a_reminder_link_opens_that_follow_up(new_context, live_server, user):
    context = new_context()
    page = pages.signed_in_app(context, user)
    add_follow_up_on_the_tab(page, "Visit the grade 7 data team")
    follow_up_id = page.locator("#follow-up-lists [data-id]").first.get_attribute("data-id")
    page.goto(f"/follow-ups?id={follow_up_id}")
    opened = page.locator(f"#follow-up-{follow_up_id}")
    opened.wait_for()
    assert "entry--opened" in opened.get_attribute("class")
    assert opened.is_visible()


def add_follow_up_for(page, action: str, owner_id: int, days_from_today: int) -> None:
    """The New follow-up form on the Follow-ups tab, given to `owner_id`, due that many days from today."""
    page.get_by_role("button", name="New follow-up").click()
    form = page.get_by_role("form", name="New follow-up")
    form.get_by_label("What to do").fill(action)
    form.get_by_label("Who").select_option(str(owner_id))
    due = page.evaluate(f"new Date(Date.now() + {days_from_today} * 86400000).toISOString().slice(0, 10)")
    form.get_by_label("Due day").fill(due)
    form.get_by_role("button", name="Add follow-up").click()
    page.locator("#follow-up-lists .entry__action").get_by_text(action, exact=True).wait_for()


def group_texts(page) -> dict[str, str]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll("#follow-up-lists [data-group]")]
        .map((s) => [s.dataset.group, s.innerText]))""")


def test_overdue_follow_up_given_to_a_colleague_is_under_overdue(new_context, live_server, user):
    colleague_id, _email = next(u for u in live_server.seed["users"] if u[0] != user["id"])
    context = new_context()
    page = pages.signed_in_app(context, user)
    pages.wait_synced(page)  # the colleagues' names are cached for the Who list
    page.locator(".tabs").get_by_role("link", name="Follow-ups").click()
    add_follow_up_for(page, "Chase the 7th-grade quiz data", colleague_id, days_from_today=-35)
    add_follow_up_for(page, "Share the PLC protocol", colleague_id, days_from_today=3)
    groups = group_texts(page)
    assert "Chase the 7th-grade quiz data" in groups["overdue"]
    assert "Given to Dana Reyes" in groups["overdue"]
    assert "Nothing overdue" not in groups["overdue"]
    assert "Chase the 7th-grade quiz data" not in groups["others"]
    assert "Share the PLC protocol" in groups["others"]


def test_reminders_box_comes_before_the_closed_follow_ups(new_context, live_server, user):
    context = new_context()
    page = pages.signed_in_app(context, user)
    for n in range(3):
        add_follow_up_on_the_tab(page, f"Closed item {n}")
        page.get_by_role("button", name=f"Drop: Closed item {n}").click()
        page.locator("#toast").get_by_text("Follow-up dropped").wait_for()
    add_follow_up_on_the_tab(page, "Still open")
    page.locator("#push-panel").wait_for()  # on demand: in place once its module is imported
    order = page.evaluate("""() => [...document.querySelectorAll("#push-panel, #follow-up-lists [data-group]")]
        .map((e) => e.id || e.dataset.group)""")
    assert order == ["overdue", "soon", "push-panel", "closed"]


def log_with_follow_up(page, place: str, action: str, relisten: bool) -> None:
    pages.choose_place(page, place)
    pages.tap_trait(page, "Evidence")
    page.get_by_role("button", name="More details").click()
    page.get_by_label("Needs follow-up").check()
    capture = page.locator("#screen-capture")
    capture.get_by_label("What to do").fill(action)
    if relisten:
        capture.get_by_label("Listen again when it is due").check()
        SHOTS.mkdir(parents=True, exist_ok=True)
        capture.get_by_label("Listen again when it is due").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "capture-relisten-phone.png"))
    pages.save(page)


def test_closing_offline_with_evidence_links_the_later_log_once_synced(new_context, live_server, user):
    """On the phone, offline: a log asks for a re-listen; a later log; the follow-up closed with what was seen
    and that later log. Back online, the server holds the re-listen, the note and the link."""
    context = new_context()
    page = pages.signed_in_app(context, user)
    pages.wait_synced(page)
    pages.wait_cached(page, pages.CLOSING)
    context.set_offline(True)
    log_with_follow_up(page, "Main hallway", "Hear the data team again", relisten=True)
    page.wait_for_timeout(1100)  # the later log is heard at a later second
    pages.choose_place(page, "Main hallway")
    pages.tap_trait(page, "Evidence")
    pages.tap_trait(page, "Action")
    pages.save(page)
    page.locator(".tabs").get_by_role("link", name="Follow-ups").click()
    entry = page.locator("#follow-up-lists .entry").filter(has_text="Hear the data team again")
    assert "Listen again" in entry.inner_text()
    page.get_by_role("button", name="Complete: Hear the data team again").click()
    page.get_by_label("Yes, practice changed").check()
    page.get_by_label("What changed, and how did you see it? (optional)").fill("Heard them plan a reteach from exit tickets")
    later = page.get_by_label("A later log that shows it (optional)")
    options = later.locator("option").all_inner_texts()
    assert options[0] == "None" and len(options) == 2 and "Main hallway" in options[1]
    later.select_option(index=1)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_role("form", name="Complete the follow-up").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"closing-form-phone-{live_server.engine}.png"))
    page.set_viewport_size({"width": 1366, "height": 768})
    page.get_by_role("form", name="Complete the follow-up").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"closing-form-laptop-{live_server.engine}.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Mark done").click()
    page.locator("#toast").get_by_text("Follow-up done").wait_for()
    expect(entry).to_contain_text("Done: practice changed, heard again")  # the list redraws just after the toast
    assert follow_ups_of(live_server, user["id"]) == []

    pages.back_online_and_synced(context, page)
    (row,) = live_server.rows(
        "SELECT f.status, f.changed_practice, f.outcome_note, f.relisten, f.evidence_observation_id, f.observation_id "
        "FROM follow_up f WHERE f.created_by_id = :user", user=user["id"])
    logs = live_server.rows("SELECT id FROM observation WHERE observer_id = :user ORDER BY observed_at", user=user["id"])
    assert (row["status"], row["changed_practice"], row["outcome_note"], bool(row["relisten"])) == (
        "done", True, "Heard them plan a reteach from exit tickets", True)
    assert [str(row["observation_id"]), str(row["evidence_observation_id"])] == [str(o["id"]) for o in logs]


def test_a_follow_up_made_on_the_tab_offers_no_re_listen(new_context, live_server, user):
    context = new_context()
    page = pages.signed_in_app(context, user)
    page.locator(".tabs").get_by_role("link", name="Follow-ups").click()
    page.get_by_role("button", name="New follow-up").click()
    assert page.get_by_role("form", name="New follow-up").get_by_label("Listen again when it is due").count() == 0


def test_closing_a_follow_up_works_offline_from_a_cold_start_once_warmed(new_context, live_server, user):
    """The closing form, the later-log picker and the reminders panel are on demand (server/pwa.py ON_DEMAND):
    warmed while online and idle, they work after an offline reload, as the precached screens do."""
    context = new_context()
    page = pages.signed_in_app(context, user)
    add_follow_up_on_the_tab(page, "Look in on the grade 8 team")
    pages.wait_outbox_empty(page)
    pages.wait_cached(page, pages.CLOSING)

    context.set_offline(True)
    page.goto("/follow-ups")
    expect(page.locator("#push-state")).to_have_text("Reminders are off for this phone.")
    page.get_by_role("button", name="Complete: Look in on the grade 8 team").click()
    page.get_by_label("Yes, practice changed").check()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height, name in ((390, 844, "phone"), (1366, 768, "laptop")):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"closing-offline-{name}-{live_server.engine}.png"), full_page=True)
    expect(page.get_by_label("A later log that shows it (optional)").locator("option")).to_have_text(["None"])
    page.get_by_role("button", name="Mark done").click()
    page.locator("#toast").get_by_text("Follow-up done").wait_for()

    pages.back_online_and_synced(context, page)
    (row,) = follow_ups_of(live_server, user["id"])
    assert (row["status"], row["changed_practice"]) == ("done", True)


def test_closing_never_cached_offline_says_it_needs_a_connection_once(new_context, live_server, user):
    """A phone that never warmed the closing modules (removed here) and is offline: a clear toast, the
    follow-up still open, not a broken button."""
    context = new_context()
    page = pages.signed_in_app(context, user)
    add_follow_up_on_the_tab(page, "Ask about the reteach")
    pages.wait_outbox_empty(page)
    pages.wait_cached(page, pages.CLOSING)
    page.evaluate("""async (paths) => {
        for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) if (paths.includes(new URL(request.url).pathname)) await cache.delete(request);
        }
    }""", pages.CLOSING)

    context.set_offline(True)
    page.goto("/follow-ups")
    page.get_by_role("button", name="Complete: Ask about the reteach").click()
    expect(page.locator("#toast")).to_contain_text("Completing a follow-up needs a connection the first time")
    expect(page.get_by_role("form", name="Complete the follow-up")).to_have_count(0)
