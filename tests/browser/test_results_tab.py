"""The Results tab in Chromium on the demo district: whole on a laptop, the share that changed practice on
screen on a phone, and a reversed range from the filter form answered inside the dashboard."""
from __future__ import annotations

import pytest

from tests.browser.conftest import pages_on_one_engine
from tests.browser.test_dashboards import LAPTOP, OFF_SCREEN, PHONE, lincoln

pytestmark = [pytest.mark.browser, pages_on_one_engine("demo")]

OUTSIDE = """() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('.results-table th, .results-table td')]
        .filter((cell) => { const r = cell.getBoundingClientRect(); return r.left < -1 || r.right > width + 1; })
        .map((cell) => cell.textContent.trim().slice(0, 30));
}"""
SHARE_COLUMN = """() => [...document.querySelectorAll('.results-table:has(th.rs-changed)')].map((table) => {
    const r = table.querySelector('thead th.rs-changed').getBoundingClientRect();
    return r.right <= document.documentElement.clientWidth + 1;
})"""


def test_the_results_tab_is_whole_on_a_laptop(signed_in, demo):
    page = signed_in("principal@lincoln.demo", LAPTOP)
    page.goto(f"/schools/{lincoln(demo)}/dashboard/results")

    assert page.locator(".dash-nav a[aria-current=page]").inner_text() == "Results"
    assert page.eval_on_selector_all("table.results-table", "tables => tables.map((t) => t.id)") == expected_tables(page, demo)
    assert page.evaluate(OUTSIDE) == []


def expected_tables(page, demo) -> list[str]:
    """The tables the same figures call for, from the API: a breakdown with groups (by planned conversation
    only when a follow-up came from one, which the demo's date-relative semester has on some days and not
    on others), heard again when a pair exists, and the months."""
    figures = page.request.get(f"/api/v1/results/schools/{lincoln(demo)}").json()
    tables = [f"results-{b['name']}" for b in figures["breakdowns"] if b["groups"]]
    assert tables[:4] == ["results-trait", "results-setting", "results-kind", "results-team"]
    return tables + (["results-again"] if figures["heard_again"]["pairs"] else []) + ["results-month"]


def test_on_a_phone_the_share_that_changed_practice_is_on_screen(signed_in, demo):
    page = signed_in("counselor@lincoln.demo", PHONE)
    page.goto(f"/schools/{lincoln(demo)}/dashboard/results")

    assert all(page.evaluate(SHARE_COLUMN))
    assert page.evaluate(OFF_SCREEN) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE[0]


def test_a_reversed_range_on_the_results_tab_is_explained_in_the_dashboard(signed_in, demo):
    page = signed_in("principal@lincoln.demo", LAPTOP)
    page.goto(f"/schools/{lincoln(demo)}/dashboard/results")
    page.locator("details.filters-box > summary").click()
    page.fill("#f-from", "2026-11-20")
    page.fill("#f-to", "2026-11-01")
    page.get_by_role("button", name="Show").click()

    alert = page.get_by_role("alert")
    assert "must be on or after the start date" in alert.inner_text()
    assert page.locator("#f-to").get_attribute("aria-invalid") == "true"


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_demo_shows_traits_heard_again_before_and_after(signed_in, demo, size):
    import os
    from pathlib import Path
    page = signed_in("principal@lincoln.demo", size)
    page.goto(f"/schools/{lincoln(demo)}/dashboard/results")

    rows = page.locator("#results-again tbody tr")
    assert rows.count() == 7 and "Evidence" in page.locator("#results-again").inner_text()
    shots = Path(os.environ.get("HALLPULSE_SHOTS", "/tmp/shots/i18-results"))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"results-{size[0]}.png"), full_page=True)
    page.locator("#results-again").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / f"results-heard-again-{size[0]}.png"))
