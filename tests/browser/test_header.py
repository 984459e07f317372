"""The header's Dashboard link for leaders, and the viewer's page instead of capture."""
from __future__ import annotations

import pytest

from tests.browser import pages

pytestmark = pytest.mark.browser


def test_principal_sees_a_dashboard_link_next_to_settings(new_context, live_server, user):
    page = pages.signed_in_app(new_context(), user)
    links = page.locator("#topbar-links a")
    assert links.all_inner_texts() == ["Dashboard", "Settings"]
    assert links.first.get_attribute("href") == f"/schools/{live_server.seed['school_id']}/dashboard"


def test_viewer_gets_the_dashboard_instead_of_the_capture_screen(new_context, live_server):
    viewer_id, email = live_server.seed["viewer"]
    page = pages.open_app(new_context())
    form = page.locator("#screen-signin form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(pages_password())
    form.get_by_role("button", name="Sign in").click()
    page.locator("#screen-viewer").wait_for(state="visible")
    assert page.locator("#screen-capture").is_hidden()
    link = page.get_by_role("link", name="Open the dashboard")
    assert link.get_attribute("href") == f"/schools/{live_server.seed['school_id']}/dashboard"


def pages_password() -> str:
    from tests.browser.conftest import PASSWORD
    return PASSWORD
