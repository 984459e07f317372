"""The coverage page in Chromium on the demo district: reached from the dashboard's tabs, the week grid
scrolling in its own box on a phone and whole-page on a laptop, and a print preview that keeps the marks."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import pages_on_one_engine
from tests.browser.test_dashboards import LAPTOP, PHONE, lincoln

pytestmark = [pytest.mark.browser, pages_on_one_engine("demo")]
SHOTS = Path(os.environ.get("HALLPULSE_SHOTS", "/tmp/shots/i16-coverage"))


def shot(page, name: str, engine: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{engine}.png"), full_page=True)


def test_the_coverage_tab_shows_which_planned_conversations_happen(signed_in, demo):
    page = signed_in("principal@lincoln.demo", LAPTOP)
    page.goto(f"/schools/{lincoln(demo)}/dashboard")
    page.get_by_role("navigation", name="Dashboard views").get_by_role("link", name="Coverage").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Do the planned conversations happen?"
    grid = page.locator("#coverage-grid")
    assert grid.locator("tbody th[scope=row]").count() == 6
    assert grid.locator(".cv-mark--heard").count() > 20 and grid.locator(".cv-mark--checked").count() > 5
    row = page.locator("#coverage-plans tbody tr", has_text="Grade 8 PLC")
    assert "did not meet" in row.inner_text()
    shot(page, "laptop", demo.engine)


def test_on_a_phone_the_grid_scrolls_in_its_own_box(signed_in, demo):
    page = signed_in("principal@lincoln.demo", PHONE, fresh=False)
    page.goto(f"/schools/{lincoln(demo)}/dashboard/coverage")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392)
        .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    shot(page, "phone", demo.engine)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390 + 1, wide
    wrap = page.locator(".cv-grid-wrap")
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth")
    shot(page, "phone", demo.engine)


def test_the_print_preview_keeps_the_marks_and_drops_the_controls(signed_in, demo):
    page = signed_in("principal@lincoln.demo", LAPTOP, fresh=False)
    page.goto(f"/schools/{lincoln(demo)}/dashboard/coverage")
    page.emulate_media(media="print")
    assert page.locator(".cv-range").is_hidden() and page.locator(".dash-nav").is_hidden()
    assert page.locator("#coverage-grid .cv-mark--heard").first.is_visible()
    shot(page, "print", demo.engine)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(SHOTS / f"print-{demo.engine}.pdf"), landscape=True)


def test_the_district_links_to_each_schools_coverage(signed_in, demo):
    page = signed_in("district@maplevalley.demo", LAPTOP)
    page.goto(f"/district/{demo.seed['district_id']}")
    page.get_by_role("link", name="Each school’s coverage").click()
    page.wait_for_load_state()
    table = page.locator("#district-coverage")
    assert table.locator("tbody tr").count() == 2
    shot(page, "district", demo.engine)
    table.get_by_role("link", name="Lincoln Middle School").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Do the planned conversations happen?"
