"""Results figures against the hand-worked fixture (tests/results/conftest.py), on both engines."""
from __future__ import annotations

import csv
import io

import pytest

WILSON_2_OF_3 = (0.2077, 0.9385)  # by hand: centre 0.5731 ± 0.3654
WILSON_1_OF_2 = (0.0945, 0.9055)


def api(client, school, **query):
    return client.get(f"/api/v1/results/schools/{school.id}", query_string=query)


def group(body, breakdown, key):
    found = next(b for b in body["breakdowns"] if b["name"] == breakdown)
    return next(g for g in found["groups"] if g["key"] == key)


def test_totals_count_each_follow_up_by_what_became_of_it(login_as, results_school):
    client, _ = login_as("principal")
    body = api(client, results_school).get_json()
    totals = body["totals"]
    assert {k: totals[k] for k in ("opened", "closed_on_time", "closed_late", "dropped", "open", "overdue")} == {
        "opened": 7, "closed_on_time": 3, "closed_late": 1, "dropped": 1, "open": 2, "overdue": 1}
    share = totals["changed_practice"]
    assert (share["n"], share["changed"], share["few"]) == (3, 2, False)
    assert share["share"] == pytest.approx(2 / 3)
    assert (share["interval_low"], share["interval_high"]) == pytest.approx(WILSON_2_OF_3, abs=1e-4)


def test_breakdowns_by_trait_setting_kind_and_team(login_as, results_school):
    client, _ = login_as("principal")
    body = api(client, results_school).get_json()
    traits = {g["label"]: g for g in next(b for b in body["breakdowns"] if b["name"] == "trait")["groups"]}
    assert traits["Substantive"]["opened"] == 6 and traits["Substantive"]["changed_practice"]["n"] == 3
    evidence = traits["Evidence"]
    assert (evidence["opened"], evidence["closed_on_time"], evidence["closed_late"], evidence["overdue"]) == (3, 1, 1, 1)
    assert (evidence["changed_practice"]["changed"], evidence["changed_practice"]["n"]) == (1, 2)
    assert evidence["changed_practice"]["few"] is True
    assert (evidence["changed_practice"]["interval_low"], evidence["changed_practice"]["interval_high"]) == \
        pytest.approx(WILSON_1_OF_2, abs=1e-4)
    assert traits["Action"]["opened"] == 0 and traits["Action"]["changed_practice"]["share"] is None
    informal = group(body, "setting", "informal")
    assert (informal["opened"], informal["closed_on_time"], informal["dropped"]) == (3, 2, 1)
    assert (informal["changed_practice"]["changed"], informal["changed_practice"]["n"]) == (1, 1)
    assert group(body, "kind", "plc")["opened"] == 3 and group(body, "kind", "hallway_chat")["opened"] == 3
    assert group(body, "team", "Grade 7")["opened"] == 3
    assert group(body, "team", "")["label"] == "Team not recorded"


def test_months_are_the_school_zone_month_of_opening(login_as, results_school):
    client, _ = login_as("principal")
    months = {m["key"]: m for m in api(client, results_school).get_json()["months"]}
    assert list(months) == ["2026-10", "2026-11"]
    assert (months["2026-10"]["opened"], months["2026-10"]["closed_late"]) == (2, 1)
    assert (months["2026-11"]["opened"], months["2026-11"]["open"], months["2026-11"]["overdue"]) == (5, 2, 1)
    assert months["2026-11"]["changed_practice"]["n"] == 1


def test_filters_narrow_by_opening_date_and_conversation(login_as, results_school):
    client, _ = login_as("principal")
    assert api(client, results_school, date_from="2026-11-01").get_json()["totals"]["opened"] == 5
    assert api(client, results_school, date_to="2026-10-05").get_json()["totals"]["opened"] == 1
    formal = api(client, results_school, setting="formal").get_json()["totals"]
    assert (formal["opened"], formal["closed_late"], formal["overdue"]) == (3, 1, 1)
    assert api(client, results_school, team="Grade 7").get_json()["totals"]["opened"] == 3


def test_page_shows_the_figures_in_an_accessible_table(login_as, results_school):
    client, _ = login_as("principal")
    response = client.get(f"/schools/{results_school.id}/dashboard/results")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Did it lead to action?" in html and 'aria-current="page">Results</a>' in html
    assert "2 of 3" in html and "95% interval 21–94%" in html
    assert "<caption" in html and 'scope="row"' in html and "too few" in html


def test_csv_holds_the_same_figures(login_as, results_school):
    client, _ = login_as("principal")
    response = client.get(f"/schools/{results_school.id}/dashboard/results.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    overall = rows[0]
    assert (overall["section"], overall["opened"], overall["closed_on_time"], overall["share"]) == ("all", "7", "3", "0.6667")
    assert any(r["section"] == "trait" and r["group"] == "Evidence" and r["too_few"] == "yes" for r in rows)


@pytest.mark.parametrize("role", ["viewer", "observer", "principal"])
def test_nobody_sees_outcome_notes_and_a_viewer_gets_no_observer_figures(login_as, results_school, role):
    from tests.results.conftest import NOTE
    client, _ = login_as(role)
    for url in (f"/api/v1/results/schools/{results_school.id}", f"/schools/{results_school.id}/dashboard/results",
                f"/schools/{results_school.id}/dashboard/results.csv"):
        response = client.get(url)
        assert response.status_code == 200
        assert NOTE not in response.get_data(as_text=True)
    if role != "principal":
        page = client.get(f"/schools/{results_school.id}/dashboard/results").get_data(as_text=True)
        assert 'name="observer_id"' not in page
        refused = api(client, results_school, observer_id=1)
        assert refused.status_code == 403


def test_another_school_is_not_found(login_as, results_school, other_school):
    client, _ = login_as("principal", target_school=other_school)
    assert api(client, results_school).status_code == 404
    assert client.get(f"/schools/{results_school.id}/dashboard/results").status_code == 404
