"""Heatmaps gain "planned / unplanned": a filter (planned=) and a facet (quality by=planned), from the raw rows."""
from __future__ import annotations

import csv
import io

import pytest

from tests import factories
from tests.coverage.conftest import local, log, make_plan


@pytest.fixture()
def mixed_school(db, school):
    """Two logs at the Grade 7 PLC (evidence heard in both) and three unplanned ones (evidence in one)."""
    school.min_cell_n = 1
    principal = factories.create_user("principal", school)
    plan = make_plan(school, principal, "Grade 7 PLC")
    log(db, school, principal, plan, "2026-10-20 15:05", {"evidence": 1})
    log(db, school, principal, plan, "2026-10-27 15:05", {"evidence": 2})
    for when, level in (("2026-10-20 10:00", 1), ("2026-10-21 10:00", 0), ("2026-10-22 10:00", 0)):
        unplanned = log(db, school, principal, plan, when, {"evidence": level})
        unplanned.plan_id = unplanned.plan_day = None
    db.session.commit()
    return school


def evidence_row(body):
    return next(row for row in body["rows"] if row["label"] == "Evidence")


def test_quality_by_planned_splits_the_conversations(login_as, mixed_school):
    client, _ = login_as("viewer")
    body = client.get(f"/api/v1/heatmaps/schools/{mixed_school.id}/quality", query_string={"by": "planned"}).get_json()
    assert [(c["key"], c["label"]) for c in body["columns"]][:2] == [("planned", "At a planned conversation"),
                                                                       ("unplanned", "Not planned")]
    cells = {cell["column"]: (cell["heard"], cell["n"]) for cell in evidence_row(body)["cells"]}
    assert (cells["planned"], cells["unplanned"]) == ((2, 2), (1, 3))
    assert body["source"] == "raw"


@pytest.mark.parametrize("value, heard_n", [("planned", (2, 2)), ("unplanned", (1, 3))])
def test_the_planned_filter_narrows_every_view(login_as, mixed_school, value, heard_n):
    client, _ = login_as("viewer")
    body = client.get(f"/api/v1/heatmaps/schools/{mixed_school.id}/quality",
                      query_string={"by": "setting", "planned": value}).get_json()
    total = next(cell for cell in evidence_row(body)["cells"] if cell["column"] == "all")
    assert (total["heard"], total["n"]) == heard_n
    frequency = client.get(f"/api/v1/heatmaps/schools/{mixed_school.id}/frequency",
                           query_string={"planned": value, "measure": "count"}).get_json()
    whole = next(row for row in frequency["rows"] if row["key"] == "all")
    assert next(c for c in whole["cells"] if c["column"] == "all")["conversations"] == heard_n[1]


def test_the_dashboard_form_offers_the_filter_and_a_bad_value_is_a_422(login_as, mixed_school):
    client, _ = login_as("viewer")
    html = client.get(f"/schools/{mixed_school.id}/dashboard/quality", query_string={"planned": "planned"}).get_data(as_text=True)
    assert '<option value="planned" selected>' in html
    assert client.get(f"/api/v1/heatmaps/schools/{mixed_school.id}/quality",
                      query_string={"planned": "sometimes"}).status_code == 422


def district_form(html: str) -> str:
    start = html.index('class="filters" aria-label="Filters"')
    return html[start:html.index("</form>", start)]


def all_week_n(csv_text: str) -> int:
    """The district's whole-week count from the frequency CSV's "All schools" row."""
    rows = list(csv.reader(io.StringIO(csv_text)))
    header = next(row for row in rows if row and row[0] == "School")
    total = next(row for row in rows if row and row[0] == "All schools")
    return int(total[header.index("All week (n)")])


def test_the_district_form_offers_the_planned_choice(login_as, mixed_school):
    client, _ = login_as("district_admin")
    form = district_form(client.get(f"/district/{mixed_school.district_id}").get_data(as_text=True))
    assert '<select id="f-planned" name="planned">' in form
    assert '<option value="">Planned and unplanned</option>' in form
    assert '<option value="planned">At a planned conversation</option>' in form


@pytest.mark.parametrize("value, conversations", [("planned", 2), ("unplanned", 3), ("", 5)])
def test_the_district_form_keeps_the_choice_and_narrows_the_tables(login_as, mixed_school, value, conversations):
    """The form's submission (no JavaScript) reaches the same filter as the API: counts in the CSV shown."""
    client, _ = login_as("district_admin")
    response = client.get(f"/district/{mixed_school.district_id}", query_string={"planned": value})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    if value:
        assert f'<option value="{value}" selected>' in district_form(html)
        assert '<details class="filters-box" open>' in html
    else:
        assert '<details class="filters-box">' in html
    frequency = client.get(f"/district/{mixed_school.district_id}/frequency.csv", query_string={"planned": value})
    assert all_week_n(frequency.get_data(as_text=True)) == conversations


def test_a_bad_planned_choice_on_the_district_page_is_explained_and_marked(login_as, mixed_school):
    client, _ = login_as("district_admin")
    response = client.get(f"/district/{mixed_school.district_id}", query_string={"planned": "sometimes"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Planned or not" in html[html.index('id="filter-problems"'):]
    assert '<select id="f-planned" name="planned" aria-invalid="true"' in html
