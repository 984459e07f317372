"""Two phones of one leader: phone C edits and deletes offline while phone D edits the same logs online.
When C reconnects nothing of C's is dropped without a word: different fields merge, the rest waits in
My log's "Needs attention" with the other phone's time until the leader chooses, and the server ends
with exactly the chosen version."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.browser import pages

pytestmark = pytest.mark.browser

LOGS = "#log-today .entry, #log-earlier .entry"
CONFLICTS = "#log-attention .entry--conflict"


def open_my_log(page):
    page.get_by_role("link", name="My log").click()
    page.locator("#screen-log").wait_for(state="visible")


def edit_log(page, place: str, note: str | None = None, traits: dict[str, int] | None = None) -> None:
    open_my_log(page)
    page.locator(LOGS, has_text=place).get_by_role("button", name="Edit").click()
    if note is not None:
        page.get_by_label("Short note").fill(note)
    for label, times in (traits or {}).items():
        pages.tap_trait(page, label, times)
    page.get_by_role("button", name="Save changes").click()
    page.locator("#screen-log").wait_for(state="visible")


def delete_log(page, place: str) -> None:
    open_my_log(page)
    entry = page.locator(LOGS, has_text=place)
    entry.get_by_role("button", name="Delete").click()
    entry.get_by_role("button", name="Tap again to delete").click()
    page.locator(LOGS, has_text=place).wait_for(state="detached")


def rows_by_place(live_server, user_id: int) -> dict[str, dict]:
    names = {place_id: name for name, place_id in live_server.seed["places"].items()}
    rows = live_server.rows(
        "SELECT id, version, deleted_at, updated_at, note, location_id FROM observation WHERE observer_id = :user",
        user=user_id)
    return {names[row["location_id"]]: row for row in rows}


def levels(live_server, observation_id) -> dict[str, int]:
    rows = live_server.rows(
        "SELECT t.key, l.level FROM observation_trait_level l JOIN trait t ON t.id = l.trait_id "
        "WHERE l.observation_id = :id AND l.level > 0", id=observation_id)
    return {row["key"]: row["level"] for row in rows}


def school_clock(moment) -> str:
    """A server time as the app shows it: the school's zone (America/Chicago), "4:25 PM"."""
    if isinstance(moment, str):  # SQLite hands the column back as text, in UTC
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(ZoneInfo("America/Chicago"))
    return f"{local.hour % 12 or 12}:{local.minute:02d}\\s?{'AM' if local.hour < 12 else 'PM'}"


def two_phones(new_context, user):
    """Phone C (its clock in London, so a time in the school's zone is told apart) logs two
    conversations; phone D of the same leader has them too."""
    c_context = new_context(timezone_id="Europe/London")
    phone_c = pages.signed_in_app(c_context, user)
    pages.log_conversation(phone_c, "Main hallway", {"Evidence": 1})
    pages.log_conversation(phone_c, "Staff lounge", {"People": 1})
    pages.wait_synced(phone_c)
    d_context = new_context()
    phone_d = pages.signed_in_app(d_context, user)
    pages.wait_synced(phone_d)
    open_my_log(phone_d)
    phone_d.locator(LOGS, has_text="Staff lounge").wait_for()
    phone_d.locator(LOGS, has_text="Main hallway").wait_for()
    return c_context, phone_c, phone_d


@pytest.mark.parametrize("choice", ["Apply mine again", "Keep the other"])
def test_offline_edit_and_delete_against_another_phone_wait_for_the_leaders_choice(new_context, live_server, user, choice):
    c_context, phone_c, phone_d = two_phones(new_context, user)
    c_context.set_offline(True)
    edit_log(phone_c, "Main hallway", note="Said on phone C")
    delete_log(phone_c, "Staff lounge")
    pages.wait_words(phone_c, "Offline · 2 logs waiting to sync")

    edit_log(phone_d, "Main hallway", note="Said on phone D")
    edit_log(phone_d, "Staff lounge", traits={"Action": 2})
    pages.wait_synced(phone_d)
    theirs = rows_by_place(live_server, user["id"])
    assert {place: row["version"] for place, row in theirs.items()} == {"Main hallway": 2, "Staff lounge": 2}

    c_context.set_offline(False)
    pages.wait_words(phone_c, "2 changes need attention in My log")
    assert "synced" not in phone_c.locator("#sync-words").inner_text().lower()
    open_my_log(phone_c)
    edited = phone_c.locator(CONFLICTS, has_text="Main hallway")
    deleted = phone_c.locator(CONFLICTS, has_text="Staff lounge")
    at = school_clock(theirs["Main hallway"]["updated_at"])
    edited.get_by_text(re.compile(f"Changed on another phone at {at}$")).wait_for()
    edited.get_by_text(re.compile("yours “Said on phone C” · other phone “Said on phone D”")).wait_for()
    deleted.get_by_text(re.compile(f"Changed on another phone at {school_clock(theirs['Staff lounge']['updated_at'])}$")).wait_for()
    deleted.get_by_text(re.compile("You deleted the .* log at Staff lounge on this phone")).wait_for()
    assert phone_c.locator("#log-badge").inner_text() == "2"

    c_context.set_offline(True)  # the choice waits through a reload, and is made offline
    phone_c.reload()
    open_my_log(phone_c)
    for place in ("Main hallway", "Staff lounge"):
        phone_c.locator(CONFLICTS, has_text=place).get_by_role("button", name=choice).evaluate(
            "button => { button.click(); button.click(); }")  # a double tap
        phone_c.locator(CONFLICTS, has_text=place).wait_for(state="detached")
    c_context.set_offline(False)
    pages.wait_synced(phone_c)

    after = rows_by_place(live_server, user["id"])
    hallway, lounge = after["Main hallway"], after["Staff lounge"]
    if choice == "Apply mine again":
        assert (hallway["version"], hallway["note"], hallway["deleted_at"]) == (3, "Said on phone C", None)
        assert (lounge["version"], lounge["deleted_at"] is not None) == (3, True)
        phone_c.locator(LOGS, has_text="Said on phone C").wait_for()
        assert phone_c.locator(LOGS, has_text="Staff lounge").count() == 0
    else:
        assert (hallway["version"], hallway["note"], hallway["deleted_at"]) == (2, "Said on phone D", None)
        assert (lounge["version"], lounge["deleted_at"], levels(live_server, lounge["id"])) == (2, None, {"people": 1, "action": 2})
        phone_c.locator(LOGS, has_text="Said on phone D").wait_for()
        phone_c.locator(LOGS, has_text="Staff lounge").get_by_text("Action: strong").wait_for()
    assert pages.pending_in_outbox(phone_c) == 0
    assert phone_c.locator(CONFLICTS).count() == 0


def test_offline_note_and_another_phones_trait_level_merge_without_asking(new_context, live_server, user):
    c_context, phone_c, phone_d = two_phones(new_context, user)
    c_context.set_offline(True)
    edit_log(phone_c, "Main hallway", note="First thought")
    edit_log(phone_c, "Main hallway", note="Second thought")  # two edits offline: still made from version 1

    edit_log(phone_d, "Main hallway", traits={"Action": 2})
    pages.wait_synced(phone_d)
    assert rows_by_place(live_server, user["id"])["Main hallway"]["version"] == 2

    c_context.set_offline(False)
    pages.wait_synced(phone_c)
    hallway = rows_by_place(live_server, user["id"])["Main hallway"]
    assert (hallway["version"], hallway["note"]) == (3, "Second thought")
    assert levels(live_server, hallway["id"]) == {"evidence": 1, "action": 2}
    open_my_log(phone_c)
    entry = phone_c.locator(LOGS, has_text="Main hallway")
    entry.get_by_text("Action: strong").wait_for()
    entry.get_by_text("Second thought").wait_for()
    assert phone_c.locator("#log-attention .entry").count() == 0


@pytest.mark.parametrize("answer", ["lost", "settled"])
def test_an_edit_made_while_a_send_was_out_is_not_taken_for_another_phones_change(new_context, live_server, user, answer):
    """The phone's own send reached the server; whether its answer came back or not, the next edit goes
    on top of it (no conflict asked about the leader's own change)."""
    page = pages.signed_in_app(new_context(), user)
    pages.log_conversation(page, "Main hallway", {"Evidence": 1})
    pages.wait_synced(page)
    status = page.evaluate("""async (settleIt) => navigator.locks.request("hallpulse-sync", async () => {
        const records = await import("/js/records.js");
        const outbox = await import("/js/outbox.js");
        const api = await import("/js/api.js");
        const session = await import("/js/session.js");
        const [log] = await records.observationsOf(session.context());
        await records.editObservation(log.id, { note: "First thought" });
        const batch = await outbox.peek(session.state.user.id);
        const answer = await api.sync(batch.schoolId, batch.entries.map((entry) => entry.record));
        await records.editObservation(log.id, { note: "Second thought" });
        if (settleIt) await outbox.settle(batch.entries, answer.results);
        return answer.results.map((result) => result.status).join();
    })""", answer == "settled")
    assert status == "stored"
    pages.sync_now(page)
    pages.wait_synced(page)
    (row,) = live_server.rows("SELECT version, note FROM observation WHERE observer_id = :user", user=user["id"])
    assert (row["version"], row["note"]) == (3, "Second thought")
    assert page.evaluate("""async () => (await (await import("/js/db.js")).getAll("attention")).length""") == 0


def test_an_offline_edit_of_a_log_deleted_on_another_phone_can_come_back_as_a_new_log(new_context, live_server, user):
    c_context, phone_c, phone_d = two_phones(new_context, user)
    c_context.set_offline(True)
    edit_log(phone_c, "Main hallway", note="Worth keeping")
    delete_log(phone_d, "Main hallway")
    pages.sync_now(phone_d)  # a deletion in My log waits for the next sync round today
    pages.wait_synced(phone_d)
    tombstone = rows_by_place(live_server, user["id"])["Main hallway"]
    assert tombstone["deleted_at"] is not None

    c_context.set_offline(False)
    pages.wait_words(phone_c, "1 change needs attention in My log")
    open_my_log(phone_c)
    entry = phone_c.locator(CONFLICTS, has_text="Main hallway")
    entry.get_by_text(re.compile(f"Deleted on another phone at {school_clock(tombstone['deleted_at'])}$")).wait_for()
    entry.get_by_role("button", name="Apply mine again").click()
    pages.wait_synced(phone_c)

    rows = live_server.rows("SELECT id, version, note, deleted_at FROM observation WHERE observer_id = :user "
                            "AND location_id = :place", user=user["id"], place=live_server.seed["places"]["Main hallway"])
    assert sorted((row["version"], row["note"], row["deleted_at"] is None) for row in rows) == [(1, "Worth keeping", True), (2, None, False)]
    phone_c.locator(LOGS, has_text="Worth keeping").wait_for()
