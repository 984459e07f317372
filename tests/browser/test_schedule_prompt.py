"""The bell schedule prompt in Chromium: a principal of a school on the unchecked default schedule
sees it on the dashboard, follows it to the schedule, saves, and it is gone."""
from __future__ import annotations

import pytest

from tests.browser import pages
from tests.browser.conftest import pages_on_one_engine

pytestmark = [pytest.mark.browser, pages_on_one_engine("live_server")]

PROMPT = "This school uses the default bell schedule"


def test_principal_follows_the_schedule_prompt_saves_and_it_goes(new_context, live_server, user):
    school_id = live_server.seed["school_id"]
    live_server.execute("UPDATE school SET schedule_confirmed = :no WHERE id = :id", no=False, id=school_id)
    before = live_server.rows("SELECT name, starts_at, ends_at FROM period WHERE school_id = :id ORDER BY starts_at", id=school_id)
    page = pages.signed_in_app(new_context(), user)
    page.goto(f"/schools/{school_id}/dashboard")
    prompt = page.locator("#schedule-prompt")
    assert prompt.is_visible() and PROMPT in prompt.inner_text()
    prompt.get_by_role("link", name="Check the bell schedule").click()
    page.wait_for_url(f"**/schools/{school_id}#schedule")
    assert page.locator("#schedule #schedule-prompt").is_visible()
    page.locator("#schedule").get_by_role("button", name="Save bell schedule").click()
    page.get_by_text("Bell schedule saved").wait_for()
    assert page.locator("#schedule-prompt").count() == 0
    page.goto(f"/schools/{school_id}/dashboard")
    assert page.locator("#schedule-prompt").count() == 0
    assert live_server.rows("SELECT schedule_confirmed FROM school WHERE id = :id", id=school_id)[0]["schedule_confirmed"]
    assert live_server.rows("SELECT name, starts_at, ends_at FROM period WHERE school_id = :id ORDER BY starts_at", id=school_id) == before
