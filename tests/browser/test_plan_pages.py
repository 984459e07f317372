"""The plan pages in Chromium with JavaScript off: a principal plans a conversation with the form alone,
and the pages fit a phone (no sideways scrolling) and a laptop."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser.conftest import pages_on_one_engine

pytestmark = pages_on_one_engine("live_server")
SHOTS = Path(os.environ.get("HALLPULSE_SHOTS", "/tmp/shots/i16-plans"))
SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 768}}


def signed_in_page(new_context, user, size):
    context = new_context(java_script_enabled=False, viewport=SIZES[size], service_workers="block")
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(user["email"])
    page.get_by_label("Password").fill(user["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("size", list(SIZES))
def test_a_principal_plans_a_conversation_without_javascript(new_context, live_server, user, size):
    page = signed_in_page(new_context, user, size)
    school_id = live_server.seed["school_id"]
    page.goto(f"/schools/{school_id}/plans/new")
    page.get_by_label("Name").fill(f"Grade 7 PLC {size}")
    page.get_by_label("Purpose").fill("Using data to see where practice falls short")
    page.get_by_label("Kind").select_option("plc")
    page.get_by_label("Improvement strategy it serves").fill("Common formative assessments")
    page.get_by_label("Evidence").check()
    page.get_by_label("Who takes part").fill("Grade 7 teachers and the coach")
    page.get_by_label("How many").fill("6")
    page.get_by_label("Tuesday").check()
    page.get_by_label("Starts").fill("15:00")
    page.get_by_label("Ends").fill("16:00")
    page.get_by_label("Term’s first day").fill("2098-09-01")
    page.get_by_label("Term’s last day").fill("2099-06-10")
    assert fits(page), "the form scrolls sideways"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"form-{size}-{live_server.engine}.png"), full_page=True)
    page.get_by_role("button", name="Save the plan").click()
    page.wait_for_load_state()

    assert page.url.endswith(f"/schools/{school_id}/plans")
    assert page.get_by_role("heading", name=f"Grade 7 PLC {size}").is_visible()
    assert page.get_by_text("Every Tuesday, 15:00–16:00").first.is_visible()
    page.get_by_role("button", name=re.compile(r"^Make a (calendar|new) link$")).click()
    page.wait_for_load_state()
    assert page.get_by_text("Copy this link now").is_visible()
    assert fits(page), "the list scrolls sideways"
    page.screenshot(path=str(SHOTS / f"list-{size}-{live_server.engine}.png"), full_page=True)
    rows = live_server.rows("SELECT name FROM planned_conversation WHERE name = :name", name=f"Grade 7 PLC {size}")
    assert rows == [{"name": f"Grade 7 PLC {size}"}]
