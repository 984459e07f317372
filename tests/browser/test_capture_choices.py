"""The capture screen's two shortcuts made safe: a log with no trait heard is a deliberate choice, and
setting, kind and team come back from the last log at the same place, visibly and clearable in one tap."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import pages
from tests.browser.conftest import skip_or_fail

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent.parent / "js" / "node_modules" / "axe-core" / "axe.min.js"


def observation_rows(live_server, user_id: int) -> list[dict]:
    return live_server.rows(
        "SELECT o.id, o.setting, o.conversation_kind, o.team, "
        "(SELECT COUNT(*) FROM observation_trait_level l WHERE l.observation_id = o.id AND l.level > 0) AS heard "
        "FROM observation o WHERE o.observer_id = :user ORDER BY o.observed_at, o.created_at", user=user_id)


def test_a_second_save_with_nothing_tapped_asks_before_saving_no_traits_heard(new_context, live_server, user):
    page = pages.signed_in_app(new_context(), user)
    pages.log_conversation(page, "Main hallway", {"Evidence": 1})
    save = page.get_by_role("button", name="Save", exact=True)
    save.click()
    prompt = page.get_by_role("group", name="No traits heard")
    prompt.wait_for()
    save.click()  # pressing Save again is still not the choice
    page.wait_for_timeout(300)
    assert page.evaluate(pages.LOCAL_LOGS) == 1

    before = page.evaluate(pages.LOCAL_LOGS)
    prompt.get_by_role("button", name="Save with no traits heard").click()
    pages.poll(page, f"async () => (await ({pages.LOCAL_LOGS})()) > {before}")
    page.locator("#toast").get_by_text("no traits heard").wait_for()
    assert prompt.is_hidden()
    pages.wait_synced(page)
    assert [row["heard"] for row in observation_rows(live_server, user["id"])] == [1, 0]


def test_tapping_a_trait_withdraws_the_no_traits_question(new_context, user):
    page = pages.signed_in_app(new_context(), user)
    pages.choose_place(page, "Staff lounge")
    page.get_by_role("button", name="Save", exact=True).click()
    prompt = page.get_by_role("group", name="No traits heard")
    prompt.wait_for()
    pages.tap_trait(page, "People")
    prompt.wait_for(state="hidden")
    pages.save(page)


def set_details(page, setting: str, kind: str, team: str) -> None:
    page.get_by_role("button", name="More details").click()
    page.get_by_label("Setting", exact=True).select_option(setting)
    page.get_by_label("Kind of talk").select_option(kind)
    page.get_by_label("Team or grade").fill(team)


def test_setting_kind_and_team_come_back_from_the_last_log_at_that_place(new_context, live_server, user):
    context = new_context()
    page = pages.signed_in_app(context, user)
    pages.choose_place(page, "Room 204 (PLC)")
    set_details(page, "formal", "plc", "Grade 7")
    pages.tap_trait(page, "Evidence")
    pages.save(page)

    prefill = page.locator("#capture-prefill")
    prefill.get_by_text("Formal · PLC · Grade 7").wait_for()
    pages.choose_place(page, "Main hallway")  # nothing logged here yet: nothing carried over
    prefill.wait_for(state="hidden")
    assert page.get_by_label("Team or grade").input_value() == ""

    context.set_offline(True)
    page.reload()  # kept on the phone: works offline, after a reload
    page.locator("#screen-capture").wait_for(state="visible")
    pages.choose_place(page, "Room 204 (PLC)")
    prefill.get_by_text("Formal · PLC · Grade 7").wait_for()
    pages.tap_trait(page, "Questions")
    pages.save(page)
    context.set_offline(False)
    pages.wait_synced(page)
    rows = observation_rows(live_server, user["id"])
    assert [(r["setting"], r["conversation_kind"], r["team"]) for r in rows] == [("formal", "plc", "Grade 7")] * 2


def test_clearing_the_carried_over_details_is_one_tap(new_context, live_server, user):
    page = pages.signed_in_app(new_context(), user)
    pages.choose_place(page, "Room 204 (PLC)")
    set_details(page, "formal", "data_team", "Grade 7")
    pages.tap_trait(page, "Evidence")
    pages.save(page)

    prefill = page.locator("#capture-prefill")
    prefill.get_by_role("button", name="Clear").click()
    prefill.wait_for(state="hidden")
    pages.tap_trait(page, "Action")
    pages.save(page)
    pages.wait_synced(page)
    rows = observation_rows(live_server, user["id"])
    assert [(r["setting"], r["conversation_kind"], r["team"]) for r in rows] == [
        ("formal", "data_team", "Grade 7"), (None, None, None)]


def test_the_question_and_the_carried_details_have_no_serious_accessibility_violations(new_context, user):
    if not AXE.exists():
        skip_or_fail(f"axe-core is not installed for the chromium tests: run npm install in {AXE.parents[2]}")
    page = pages.signed_in_app(new_context(bypass_csp=True), user)
    pages.choose_place(page, "Room 204 (PLC)")
    set_details(page, "formal", "plc", "Grade 7")
    pages.tap_trait(page, "Evidence")
    pages.save(page)
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("group", name="No traits heard").wait_for()
    page.locator("#capture-prefill").wait_for()
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => (await axe.run(document)).violations
        .filter((v) => ["serious", "critical"].includes(v.impact))
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)""")
    assert violations == []
