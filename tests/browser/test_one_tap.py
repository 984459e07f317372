"""One tap, one change: however fast or often Save (or Add, Mark done, Save changes, Delete) is pressed
while the first press is still being written, the server ends up with exactly one record or version."""
from __future__ import annotations

import pytest

from tests.browser import pages

pytestmark = pytest.mark.browser


def tap_many(locator, times: int = 3) -> None:
    """`times` clicks in one task: each lands before the first click's IndexedDB write has finished."""
    locator.evaluate("(el, n) => { for (let i = 0; i < n; i += 1) el.click(); }", times)


def observation_rows(live_server, user_id: int) -> list[dict]:
    return live_server.rows("SELECT id, version, deleted_at FROM observation WHERE observer_id = :user", user=user_id)


def follow_up_rows(live_server, user_id: int) -> list[dict]:
    return live_server.rows("SELECT id, observation_id, status, version FROM follow_up WHERE created_by_id = :user",
                            user=user_id)


def settle(page) -> None:
    """Let every queued write land, then sync it all (the test asserts what reached the server)."""
    page.wait_for_timeout(300)
    pages.sync_now(page)
    pages.wait_outbox_empty(page)


@pytest.mark.parametrize("tapping", ["double-click", "three-clicks-at-once"])
def test_rapid_taps_on_save_store_one_log(new_context, live_server, user, tapping):
    page = pages.signed_in_app(new_context(), user)
    pages.choose_place(page, "Main hallway")
    pages.tap_trait(page, "Evidence")
    save = page.get_by_role("button", name="Save", exact=True)
    if tapping == "double-click":
        save.dblclick()
    else:
        tap_many(save)
    page.locator("#toast").get_by_text("Saved").wait_for()
    settle(page)
    assert len(observation_rows(live_server, user["id"])) == 1
    assert page.evaluate(pages.LOCAL_LOGS) == 1


def test_rapid_taps_on_save_with_a_follow_up_store_one_log_and_one_follow_up(new_context, live_server, user):
    page = pages.signed_in_app(new_context(), user)
    pages.choose_place(page, "Main hallway")
    pages.tap_trait(page, "Action")
    page.get_by_role("button", name="More details").click()
    page.get_by_label("Needs follow-up").check()
    page.locator("#screen-capture").get_by_label("What to do").fill("Ask the team about Friday's quiz")
    tap_many(page.get_by_role("button", name="Save", exact=True))
    page.locator("#toast").get_by_text("Saved").wait_for()
    settle(page)
    (observation,) = observation_rows(live_server, user["id"])
    (follow_up,) = follow_up_rows(live_server, user["id"])
    assert str(follow_up["observation_id"]) == str(observation["id"])


def test_rapid_taps_on_add_follow_up_store_one_follow_up(new_context, live_server, user):
    page = pages.signed_in_app(new_context(), user)
    page.locator(".tabs").get_by_role("link", name="Follow-ups").click()
    page.get_by_role("button", name="New follow-up").click()
    form = page.get_by_role("form", name="New follow-up")
    form.get_by_label("What to do").fill("Visit the grade 7 data team")
    tap_many(form.get_by_role("button", name="Add follow-up"))
    page.locator("#toast").get_by_text("Follow-up added").wait_for()
    settle(page)
    assert len(follow_up_rows(live_server, user["id"])) == 1


@pytest.mark.parametrize("closing", ["Drop", "Snooze 1 day", "Mark done"])
def test_rapid_taps_on_closing_a_follow_up_make_one_change(new_context, live_server, user, closing):
    page = pages.signed_in_app(new_context(), user)
    page.locator(".tabs").get_by_role("link", name="Follow-ups").click()
    page.get_by_role("button", name="New follow-up").click()
    form = page.get_by_role("form", name="New follow-up")
    form.get_by_label("What to do").fill("Check the PLC used the protocol")
    form.get_by_role("button", name="Add follow-up").click()
    settle(page)
    if closing == "Mark done":
        page.get_by_role("button", name="Complete: Check the PLC used the protocol").click()
        page.get_by_label("Yes, practice changed").check()
        tap_many(page.get_by_role("button", name="Mark done"))
    else:
        tap_many(page.get_by_role("button", name=f"{closing}: Check the PLC used the protocol"))
    settle(page)
    (row,) = follow_up_rows(live_server, user["id"])
    assert row["version"] == 2


def test_rapid_taps_on_save_changes_make_one_edit_and_no_new_log(new_context, live_server, user):
    page = pages.signed_in_app(new_context(), user)
    pages.log_conversation(page, "Main hallway", {"Evidence": 1})
    settle(page)
    page.get_by_role("link", name="My log").click()
    page.locator(".entry", has_text="Main hallway").get_by_role("button", name="Edit").click()
    pages.tap_trait(page, "Action")
    tap_many(page.get_by_role("button", name="Save changes"), 4)
    page.locator("#toast").get_by_text("Changes saved").wait_for()
    settle(page)
    (row,) = observation_rows(live_server, user["id"])
    assert row["version"] == 2


def test_rapid_taps_on_delete_make_one_deletion(new_context, live_server, user):
    page = pages.signed_in_app(new_context(), user)
    pages.log_conversation(page, "Main hallway", {"Evidence": 1})
    settle(page)
    page.get_by_role("link", name="My log").click()
    entry = page.locator(".entry", has_text="Main hallway")
    entry.get_by_role("button", name="Delete").click()
    tap_many(entry.get_by_role("button", name="Tap again to delete"))
    page.locator("#toast").get_by_text("Log deleted").wait_for()
    settle(page)
    (row,) = observation_rows(live_server, user["id"])
    assert (row["version"], row["deleted_at"] is not None) == (2, True)


SAVE_AT_ONCE = """async ([placeId, sameCapture]) => {
    const records = await import("/js/records.js");
    const session = await import("/js/session.js");
    const id = crypto.randomUUID();
    const draft = () => ({ rubric_id: session.rubric().id, location_id: placeId, trait_levels: { evidence: 1 },
                           ...(sameCapture ? { id } : {}) });
    await Promise.all([records.saveObservation(session.context(), draft()),
                       records.saveObservation(session.context(), draft())]);
}"""


@pytest.mark.parametrize("same_capture", [True, False], ids=["same-capture", "two-captures"])
def test_two_saves_racing_in_indexeddb_start_one_walk(new_context, live_server, user, same_capture):
    """Two writes in flight at once (no walk running yet): one walk, and one log when it is the same capture."""
    page = pages.signed_in_app(new_context(), user)
    page.evaluate(SAVE_AT_ONCE, [live_server.seed["places"]["Main hallway"], same_capture])
    settle(page)
    walks = live_server.rows("SELECT id FROM walk WHERE observer_id = :user", user=user["id"])
    assert (len(walks), len(observation_rows(live_server, user["id"]))) == (1, 1 if same_capture else 2)
