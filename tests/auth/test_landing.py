"""Where each role lands after signing in on the page, and the header links that lead back there."""
import re

import pytest

from tests import factories
from tests.auth.pages import sign_in_on_page


@pytest.mark.parametrize("role, destination", [
    ("district_admin", "/district/{district_id}"),
    ("principal", "/schools/{school_id}/dashboard"),
    ("viewer", "/schools/{school_id}/dashboard"),
    ("observer", "/"),
])
def test_each_role_lands_where_its_work_is(client, school, role, destination):
    user = factories.create_user(role, school, email=f"{role}@lincoln.example.org")
    response = sign_in_on_page(client, user.email)

    assert response.status_code == 302
    assert response.headers["Location"] == destination.format(district_id=school.district_id, school_id=school.id)
    assert client.get(response.headers["Location"]).status_code == 200
    assert client.get("/start").headers["Location"] == response.headers["Location"]


@pytest.mark.parametrize("role, links", [
    ("district_admin", ["District view", "Schools", "Open the app", "Account"]),
    ("principal", ["Dashboard", "Schools", "Open the app", "Account"]),
    ("viewer", ["Dashboard", "Account"]),
    ("observer", ["Open the app", "Account"]),
])
def test_the_page_header_offers_each_role_its_start_page(client, school, role, links):
    user = factories.create_user(role, school, email=f"{role}@lincoln.example.org")
    sign_in_on_page(client, user.email)
    html = client.get("/account/password").get_data(as_text=True)
    nav = html.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]

    assert re.findall(r"<a [^>]*>([^<]+)</a>", nav) == links
    for href in re.findall(r'<a href="([^"]+)"', nav):
        assert client.get(href).status_code == 200, href


def test_the_schools_page_leads_a_district_admin_to_the_district_view_and_each_dashboard(client, school, other_school):
    admin = factories.create_user("district_admin", school, email="admin@lincoln.example.org")
    sign_in_on_page(client, admin.email)
    html = client.get("/schools").get_data(as_text=True)

    assert f'href="/district/{school.district_id}"' in html
    assert f'href="/schools/{school.id}/dashboard"' in html
    assert f"/schools/{other_school.id}/dashboard" not in html
