"""Choices the brief cannot use: a 422 problem (API) or the page's form saying what to change, never a 500."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

FUTURE = (date.today() + timedelta(days=40)).isoformat()
CASES = {
    "reversed": ({"start": "2026-11-10", "end": "2026-10-01"}, "is before the start date"),
    "ten years": ({"start": "2016-09-01", "end": "2026-08-31"}, "makes a period of 10 years: a brief covers at most a year"),
    "open-ended over a year": ({"start": "2024-01-01"}, "a brief covers at most a year"),
    "future start": ({"start": FUTURE}, "is in the future"),
    "future end": ({"start": "2026-11-01", "end": FUTURE}, "is in the future"),
    "not a date": ({"start": "2026-13-45"}, "is not a date"),
    "year 9999": ({"end": "9999-12-31"}, "must be a day from"),
    "bad paper": ({"paper": "b5"}, "is not one of the choices"),
    "bad version": ({"version": "principal"}, "is not one of the choices"),
    "unknown field": ({"date_from": "2026-11-01"}, "is not something the brief knows"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_api_refuses_bad_choices_with_a_422(login_as, school, case):
    query, _words = CASES[case]
    client, _ = login_as("principal")
    response = client.get(f"/api/v1/brief/schools/{school.id}", query_string=query)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_page_shows_the_form_with_what_to_change(login_as, school, case):
    query, words = CASES[case]
    client, _ = login_as("viewer")
    response = client.get(f"/schools/{school.id}/brief", query_string=query)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The brief cannot be made with these choices" in html and words in html
    assert 'aria-invalid="true"' in html or case in ("unknown field", "bad version")  # a viewer has no version to pick


def test_empty_fields_mean_the_default_period(login_as, school):
    client, _ = login_as("principal")
    response = client.get(f"/schools/{school.id}/brief", query_string={"start": "", "end": " ", "paper": ""})
    assert response.status_code == 200 and "the last two weeks" in response.get_data(as_text=True)


def test_district_brief_refuses_a_reversed_period(login_as, school):
    client, _ = login_as("district_admin")
    query = {"start": "2026-11-10", "end": "2026-10-01"}
    assert client.get(f"/api/v1/brief/districts/{school.district_id}", query_string=query).status_code == 422
    page = client.get(f"/district/{school.district_id}/brief", query_string=query)
    assert page.status_code == 422 and "is before the start date" in page.get_data(as_text=True)
