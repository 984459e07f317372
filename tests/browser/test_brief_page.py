"""The meeting brief in Chromium on the demo district: one click from the dashboard, whole on a phone
(tables scroll in their own boxes), a reversed range answered in the form, and the PDF downloaded."""
from __future__ import annotations

import pytest

from tests.browser.conftest import pages_on_one_engine
from tests.browser.test_dashboards import LAPTOP, OFF_SCREEN, PHONE, lincoln

pytestmark = [pytest.mark.browser, pages_on_one_engine("demo")]


def test_the_brief_is_one_click_from_the_dashboard_and_whole_on_a_phone(signed_in, demo):
    page = signed_in("counselor@lincoln.demo", PHONE)
    page.goto(f"/schools/{lincoln(demo)}/dashboard")
    page.locator(".dash-nav").get_by_role("link", name="Meeting brief").click()
    page.wait_for_url("**/brief", wait_until="load")  # its stylesheet applied before any width is measured

    assert page.locator(".dash-nav a[aria-current=page]").inner_text() == "Meeting brief"
    assert "staff version" in page.locator(".brief-kicker").inner_text().lower()
    assert page.get_by_role("heading", name="Questions worth discussing").is_visible()
    assert page.evaluate(OFF_SCREEN) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE[0]


def test_a_reversed_range_is_explained_in_the_form_and_the_pdf_downloads(signed_in, demo):
    page = signed_in("principal@lincoln.demo", LAPTOP)
    page.goto(f"/schools/{lincoln(demo)}/brief")
    page.fill("#b-start", "2026-11-20")
    page.fill("#b-end", "2026-11-01")
    page.get_by_role("button", name="Show the brief").click()
    assert "is before the start date" in page.get_by_role("alert").inner_text()

    page.fill("#b-start", "2026-11-01")
    page.fill("#b-end", "2026-11-20")
    page.select_option("#b-paper", "letter")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the PDF").click()
    assert download.value.suggested_filename == f"brief-2026-11-01-2026-11-20-school-{lincoln(demo)}.pdf"
