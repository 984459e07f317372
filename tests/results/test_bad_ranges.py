"""Ranges that cannot be answered: a clear 4xx (API) or the dashboard's own problem page, never a 500."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

FUTURE = (date.today() + timedelta(days=40)).isoformat()
CASES = {
    "reversed": ({"date_from": "2026-11-10", "date_to": "2026-10-01"}, "on or after the start date"),
    "ten years": ({"date_from": "2016-09-01", "date_to": "2026-08-31"}, "makes a range of 10 years: pick at most five years"),
    "future": ({"date_from": FUTURE}, "must not be in the future"),
    "just over five years": ({"date_from": "2020-01-01", "date_to": "2025-01-31"}, "a range of 5.1 years"),
    "not a date": ({"date_from": "2026-13-45"}, "is not a date"),
    "open-ended over five years": ({"date_from": "2019-01-01"}, "over five years up to today"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_api_refuses_a_bad_range_in_words(login_as, school, case):
    query, words = CASES[case]
    client, _ = login_as("principal")
    response = client.get(f"/api/v1/results/schools/{school.id}", query_string=query)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    if case != "not a date":
        assert words in response.get_data(as_text=True)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_page_explains_a_bad_range_inside_the_dashboard(login_as, school, case):
    query, words = CASES[case]
    client, _ = login_as("viewer")
    response = client.get(f"/schools/{school.id}/dashboard/results", query_string=query,
                          headers={"Accept": "text/html"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422  # as the API answers the same filters
    assert "These filters need a change" in html and words in html and "Did it lead to action?" in html


def test_csv_of_a_bad_range_is_a_plain_422(login_as, school):
    client, _ = login_as("principal")
    response = client.get(f"/schools/{school.id}/dashboard/results.csv",
                          query_string={"date_from": "2026-11-10", "date_to": "2026-10-01"})
    assert response.status_code == 422


def test_an_empty_range_says_so(login_as, school):
    client, _ = login_as("principal")
    response = client.get(f"/schools/{school.id}/dashboard/results",
                          query_string={"date_from": "2026-01-05", "date_to": "2026-01-09"})
    assert response.status_code == 200
    assert "No follow-ups were opened between 2026-01-05 and 2026-01-09" in response.get_data(as_text=True)
    body = client.get(f"/api/v1/results/schools/{school.id}", query_string={"date_from": "2026-01-05"}).get_json()
    assert body["totals"]["opened"] == 0 and body["totals"]["changed_practice"]["share"] is None


def test_five_school_years_and_a_range_ending_in_the_future_are_answered(login_as, school):
    client, _ = login_as("principal")
    for query in ({"date_from": "2020-08-01", "date_to": "2025-07-31"}, {"date_from": "2026-08-01", "date_to": FUTURE}):
        response = client.get(f"/api/v1/results/schools/{school.id}", query_string=query)
        assert response.status_code == 200, (query, response.get_data(as_text=True))
