"""The leadership pages in Chromium on the demo district: where each role lands, tables whole on a
laptop and a projector and scrolling in their own box on a phone, dated trend charts, and filter
errors answered inside the dashboard."""
from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import pages_on_one_engine
from tests.browser.demo_district import DEMO_PASSWORD, LAPTOP

pytestmark = [pytest.mark.browser, pages_on_one_engine("demo")]

PROJECTOR, WIDE, PHONE = (1280, 720), (1920, 1080), (390, 844)
SHOTS = Path(os.environ.get("HALLPULSE_SHOTS", "/tmp/shots/dashboards"))


def lincoln(demo) -> int:
    return demo.seed["schools"]["Lincoln Middle School"]


def path_of(page) -> str:
    return page.evaluate("() => location.pathname")


# ---------------------------------------------------------------- 9: every role lands somewhere useful

@pytest.mark.parametrize("email, where", [
    ("district@maplevalley.demo", "/district/{district}"),
    ("principal@lincoln.demo", "/schools/{lincoln}/dashboard"),
    ("counselor@lincoln.demo", "/schools/{lincoln}/dashboard"),
    ("principal@riverside.demo", "/schools/{riverside}/dashboard"),
    ("ap@lincoln.demo", "/"),
])
def test_each_demo_role_lands_somewhere_useful_after_signing_in(signed_in, demo, email, where):
    page = signed_in(email)

    assert path_of(page) == where.format(district=demo.seed["district_id"], lincoln=lincoln(demo),
                                         riverside=demo.seed["schools"]["Riverside High School"])
    if where == "/":
        page.locator("#screen-capture").wait_for(state="visible")
    else:
        assert page.locator("table.heatmap").count() >= 1


def test_the_district_admin_reaches_each_school_dashboard_in_one_click_with_the_filters(signed_in, demo):
    page = signed_in("district@maplevalley.demo")
    page.goto(f"/district/{demo.seed['district_id']}?setting=formal")
    page.locator("#district-quality tbody").get_by_role("link", name="Riverside High School").click()
    page.wait_for_load_state()

    assert path_of(page) == f"/schools/{demo.seed['schools']['Riverside High School']}/dashboard"
    assert page.evaluate("() => location.search") == "?setting=formal"
    assert page.get_by_role("heading", level=1).inner_text() == "Conversation dashboard"


def test_the_schools_page_and_the_header_lead_the_district_admin_to_the_district_view(signed_in, demo):
    page = signed_in("district@maplevalley.demo", path="/login?next=/schools")
    assert path_of(page) == "/schools"
    page.get_by_role("link", name="Maple Valley School District: every school side by side").click()
    assert path_of(page) == f"/district/{demo.seed['district_id']}"
    page.goto("/account/password")
    page.locator(".site-nav").get_by_role("link", name="District view").click()
    assert path_of(page) == f"/district/{demo.seed['district_id']}"


def test_the_app_header_leads_the_district_admin_to_the_district_view(browser, demo):
    context = browser.new_context(base_url=demo.url, viewport={"width": PHONE[0], "height": PHONE[1]},
                                  service_workers="block")
    try:
        page = context.new_page()
        page.goto("/")
        form = page.locator("#screen-signin form")
        form.get_by_label("Email").fill("district@maplevalley.demo")
        form.get_by_label("Password").fill(DEMO_PASSWORD)
        form.get_by_role("button", name="Sign in").click()
        page.locator("#topbar-links").get_by_role("link", name="District view").click()
        page.wait_for_url(f"**/district/{demo.seed['district_id']}")
        assert page.locator("#district-quality").is_visible()
    finally:
        context.close()


# ---------------------------------------------------------------- 12: tables readable whole, or scrolling in their box

CLIPPED = """() => {
    const width = document.documentElement.clientWidth;
    const problems = [];
    for (const wrap of document.querySelectorAll('.heatmap-wrap')) {
        if (wrap.scrollWidth > wrap.clientWidth + 1 || wrap.scrollHeight > wrap.clientHeight + 1)
            problems.push(`${wrap.querySelector('table').id} scrolls inside itself: ` +
                          `${wrap.scrollWidth}x${wrap.scrollHeight} in ${wrap.clientWidth}x${wrap.clientHeight}`);
        const box = wrap.getBoundingClientRect();
        for (const cell of wrap.querySelectorAll('th, td')) {
            const r = cell.getBoundingClientRect();
            if (r.left < Math.max(0, box.left) - 1 || r.right > Math.min(width, box.right) + 1)
                problems.push(`${cell.textContent.trim().slice(0, 30)} at ${r.left}-${r.right} of ${width}`);
        }
    }
    return problems;
}"""


@pytest.mark.parametrize("size", [LAPTOP, PROJECTOR, WIDE], ids=["laptop", "projector", "wide"])
@pytest.mark.parametrize("view", ["frequency", "quality", "quality?by=place", "quality?by=week", "district"])
def test_every_table_is_readable_whole_on_a_laptop_and_a_projector(signed_in, demo, size, view):
    page = signed_in("district@maplevalley.demo", size, fresh=False)
    page.goto(f"/district/{demo.seed['district_id']}" if view == "district"
              else f"/schools/{lincoln(demo)}/dashboard/{view}")

    assert page.locator("table.heatmap").count() >= 1
    assert page.evaluate(CLIPPED) == []


@pytest.mark.parametrize("size", [LAPTOP, WIDE], ids=["laptop", "wide"])
def test_the_header_lines_up_with_the_dashboard(signed_in, demo, size):
    page = signed_in("principal@lincoln.demo", size, fresh=False)
    page.goto(f"/schools/{lincoln(demo)}/dashboard")
    brand = page.locator(".brand").bounding_box()
    heading = page.locator("main h1").bounding_box()
    sign_out = page.locator(".site-nav__form button").bounding_box()
    nav = page.locator(".dash-nav").bounding_box()

    assert abs(brand["x"] - heading["x"]) <= 1
    assert abs((sign_out["x"] + sign_out["width"]) - (nav["x"] + nav["width"])) <= 1


STICKY = """async () => {
    const wrap = document.querySelector('#frequency').closest('.heatmap-wrap');
    const corner = wrap.querySelector('thead th');
    const rowHead = wrap.querySelector('tbody tr:nth-child(3) th');
    const before = {head: corner.getBoundingClientRect().top, row: rowHead.getBoundingClientRect().left};
    wrap.scrollTo(200, 150);
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const box = wrap.getBoundingClientRect();
    return {
        scrollsSideways: wrap.scrollWidth > wrap.clientWidth && getComputedStyle(wrap).overflowX === 'auto',
        scrolled: [wrap.scrollLeft, wrap.scrollTop],
        headerStays: Math.abs(corner.getBoundingClientRect().top - box.top) <= 2,
        firstColumnStays: Math.abs(rowHead.getBoundingClientRect().left - box.left) <= 2,
        pageWidth: document.documentElement.scrollWidth,
    };
}"""

OFF_SCREEN = """() => [...document.querySelectorAll('.dash-nav a, .toggle__item, .site-nav a, .site-nav button')]
    .filter((el) => { const r = el.getBoundingClientRect(); return r.left < 0 || r.right > innerWidth; })
    .map((el) => el.textContent.trim())"""


def test_on_a_phone_a_table_scrolls_in_its_own_box_with_sticky_header_and_first_column(signed_in, demo):
    page = signed_in("principal@lincoln.demo", PHONE, fresh=False)
    page.goto(f"/schools/{lincoln(demo)}/dashboard/frequency")
    state = page.evaluate(STICKY)

    assert state["scrollsSideways"] and state["scrolled"][0] > 0 and state["scrolled"][1] > 0
    assert state["headerStays"] and state["firstColumnStays"]
    assert state["pageWidth"] <= PHONE[0]


@pytest.mark.parametrize("view", ["frequency", "quality", "trends"])
def test_on_a_phone_every_tab_and_pill_is_on_screen(signed_in, demo, view):
    page = signed_in("principal@lincoln.demo", PHONE, fresh=False)
    page.goto(f"/schools/{lincoln(demo)}/dashboard/{view}")

    assert page.evaluate(OFF_SCREEN) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE[0]


# ---------------------------------------------------------------- 13: dated, labelled trend charts

CHART = """() => [...document.querySelectorAll('svg.trend__chart')].map((svg) => ({
    label: svg.getAttribute('aria-label'),
    days: [...svg.querySelectorAll('.tick-day')].map((t) => t.textContent),
    months: [...svg.querySelectorAll('.tick-month')].map((t) => t.textContent),
    n: [...svg.querySelectorAll('.tick-n')].map((t) => Number(t.textContent)),
    points: svg.querySelectorAll('circle.point').length,
    values: [...svg.querySelectorAll('.point-label')].map((t) => t.textContent),
    clipped: svg.parentElement.scrollWidth > svg.parentElement.clientWidth,
}))"""


@pytest.mark.parametrize("size", [LAPTOP, PROJECTOR], ids=["laptop", "projector"])
def test_trend_charts_have_dated_axes_labelled_points_and_the_weekly_n(signed_in, demo, size):
    page = signed_in("principal@lincoln.demo", size, fresh=False)
    page.goto(f"/schools/{lincoln(demo)}/dashboard/trends")
    charts = page.evaluate(CHART)
    weekly_n = [int(text.removeprefix("n ")) for text in
                page.locator("#trends thead .hm-n").all_text_contents()]
    bars = page.locator("svg.bars .bar-label").all_text_contents()

    # The demo's semester ends the day it is loaded: its first weeks' Mondays, in the school's dates.
    first_day = date.fromisoformat(demo.seed["first_days"]["Lincoln Middle School"])
    mondays = [first_day - timedelta(days=first_day.weekday()) + timedelta(weeks=k) for k in range(3)]
    first_label = f"Mon {mondays[0].day} {mondays[0]:%b %Y}"
    assert len(charts) == 7
    for chart in charts:
        assert chart["days"][:3] == [str(monday.day) for monday in mondays]
        assert chart["months"][0] == f"{mondays[0]:%b}" and len(chart["months"]) >= 4
        assert chart["points"] == len(chart["values"]) > 10 and all(v.endswith("%") for v in chart["values"])
        assert [n for n in chart["n"] if n] == weekly_n
        assert first_label in chart["label"] and not chart["clipped"]
    assert [int(n) for n in bars if n != "0"] == weekly_n
    assert first_label in page.locator(".trend-bars figcaption").inner_text()


# ---------------------------------------------------------------- 14: errors inside the dashboard

def test_a_reversed_range_from_the_filter_form_is_explained_in_the_dashboard(signed_in, demo):
    page = signed_in("principal@lincoln.demo", LAPTOP, fresh=False)
    page.goto(f"/schools/{lincoln(demo)}/dashboard/quality")
    page.locator(".filters-box > summary").click()
    page.fill("#f-from", "2026-10-10")
    page.fill("#f-to", "2026-10-01")
    page.select_option("#f-setting", "formal")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()

    alert = page.get_by_role("alert")
    assert "The end date (1 Oct 2026) is before the start date (10 Oct 2026)" in alert.inner_text()
    assert page.input_value("#f-from") == "2026-10-10" and page.input_value("#f-to") == "2026-10-01"
    assert page.input_value("#f-setting") == "formal"
    assert page.locator(".dash-nav").is_visible()
    page.fill("#f-to", "2026-10-30")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#quality")).to_be_visible()  # waits for the new page: the click only starts it
    assert page.get_by_role("alert").count() == 0
    page.goto(f"/schools/{lincoln(demo)}/dashboard/quality?date_from=2026-10-10&date_to=2026-10-01")
    page.get_by_role("link", name="Back to the dashboard, without filters").click()
    expect(page.locator("#quality")).to_be_visible()


def test_an_empty_range_says_so_instead_of_a_legend(signed_in, demo):
    page = signed_in("principal@lincoln.demo", LAPTOP, fresh=False)
    page.goto(f"/schools/{lincoln(demo)}/dashboard/frequency?date_from=2027-03-01&date_to=2027-03-10")

    assert "No conversations logged between Mon 1 Mar 2027 and Wed 10 Mar 2027" in page.locator("main").inner_text()
    assert page.locator(".legend").count() == 0


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_district_filter_form_narrows_to_planned_conversations_without_javascript(browser, demo, size):
    """The district view's form offers "Planned or not" like a school's; Show submits it as a plain GET."""
    context = browser.new_context(base_url=demo.url, viewport={"width": size[0], "height": size[1]},
                                  java_script_enabled=False, locale="en-US")
    try:
        page = context.new_page()
        page.goto("/login")
        page.fill("#email", "district@maplevalley.demo")
        page.fill("#password", DEMO_PASSWORD)
        page.locator("main form").get_by_role("button", name="Sign in").click()
        page.goto(f"/district/{demo.seed['district_id']}")
        page.locator(".filters-box summary").click()
        page.get_by_label("Planned or not").select_option("planned")
        page.get_by_role("button", name="Show").click()
        expect(page).to_have_url(re.compile(r"[?&]planned=planned(&|$)"))
        expect(page.get_by_label("Planned or not")).to_have_value("planned")
        expect(page.locator("#district-frequency caption")).to_contain_text("planned")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator(".filters-box").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"district-filters-{size[0]}.png"))
    finally:
        context.close()
