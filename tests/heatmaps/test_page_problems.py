"""Filters a dashboard cannot use are answered inside the dashboard (what to fix, the form as the user
left it, a way back); JSON keeps problem+json; an empty range says so instead of an empty legend."""
from __future__ import annotations

import pytest

from tests.heatmaps.test_pages import semester  # noqa: F401  (the fixture)

REVERSED = {"date_from": "2026-11-17", "date_to": "2026-11-09", "setting": "formal"}


@pytest.mark.parametrize("path", ["dashboard", "dashboard/frequency", "dashboard/quality", "dashboard/trends"])
def test_a_reversed_date_range_is_explained_inside_the_dashboard(login_as, semester, path):  # noqa: F811
    client, _ = login_as("principal")
    response = client.get(f"/schools/{semester.id}/{path}", query_string=REVERSED)
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "The end date (9 Nov 2026) is before the start date (17 Nov 2026)" in html
    assert 'name="date_from" value="2026-11-17" aria-invalid="true"' in html
    assert 'name="date_to" value="2026-11-09" aria-invalid="true"' in html
    assert '<option value="formal" selected>' in html
    assert f'href="/schools/{semester.id}/{path}">Back to the dashboard' in html
    assert "Lincoln Middle School" in html and "Open the app</a>\n  </div>" not in html


@pytest.mark.parametrize("query, sentence", [
    ({"setting": "outdoors"}, "The setting “outdoors” is not one of the choices"),
    ({"date_from": "2026-02-30"}, "The start date (From) “2026-02-30” is not a date"),
    ({"team": "x" * 61}, "The team or grade: "),
    ({"colour": "blue"}, "“colour” is not a filter this page knows"),
])
def test_a_filter_that_cannot_be_read_says_what_to_fix(login_as, semester, query, sentence):  # noqa: F811
    client, _ = login_as("principal")
    response = client.get(f"/schools/{semester.id}/dashboard/quality",
                          query_string={**query, "conversation_kind": "plc"})
    html = response.get_data(as_text=True)

    assert response.status_code == 422  # as the API answers the same filters (issue 14 point 19)
    assert sentence in html
    assert 'id="filter-problems"' in html and 'class="filters"' in html
    assert '<option value="plc" selected>' in html


def test_json_clients_still_get_problem_json(login_as, semester):  # noqa: F811
    client, _ = login_as("principal")
    page = client.get(f"/schools/{semester.id}/dashboard/quality", query_string=REVERSED,
                      headers={"Accept": "application/json"})
    api = client.get(f"/api/v1/heatmaps/schools/{semester.id}/quality", query_string=REVERSED)

    for response in (page, api):
        assert response.status_code == 422
        assert response.mimetype == "application/problem+json"


def test_bad_filters_on_a_school_out_of_reach_stay_a_plain_404(login_as, semester, other_school):  # noqa: F811
    client, _ = login_as("principal")
    response = client.get(f"/schools/{other_school.id}/dashboard/quality", query_string=REVERSED)
    html = response.get_data(as_text=True)

    assert response.status_code == 404
    assert other_school.name not in html and "filter-problems" not in html


def test_the_district_view_explains_a_reversed_range_too(login_as, semester):  # noqa: F811
    client, _ = login_as("district_admin")
    response = client.get(f"/district/{semester.district_id}", query_string=REVERSED)
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert "The end date (9 Nov 2026) is before the start date (17 Nov 2026)" in html
    assert 'value="2026-11-17"' in html and f'href="/district/{semester.district_id}">Back to the district view' in html


@pytest.mark.parametrize("path", ["dashboard", "dashboard/frequency", "dashboard/quality", "dashboard/trends"])
def test_an_empty_range_says_no_conversations_were_logged_in_it(login_as, semester, path):  # noqa: F811
    client, _ = login_as("principal")
    response = client.get(f"/schools/{semester.id}/{path}", query_string={"date_from": "2027-03-01",
                                                                          "date_to": "2027-03-10"})
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "No conversations logged between Mon 1 Mar 2027 and Wed 10 Mar 2027." in html
    assert 'class="legend"' not in html and "0.0–" not in html
