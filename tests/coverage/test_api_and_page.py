"""The coverage JSON, page and CSV: the same figures, for everyone in the school, clear 4xx for bad ranges."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.db import db as database


def test_the_json_gives_the_hand_computed_figures(login_as, coverage_school):
    school, plc, _team = coverage_school
    client, _ = login_as("viewer")
    body = client.get(f"/api/v1/coverage/schools/{school.id}").get_json()
    assert (body["start"], body["end"], body["min_n"], body["timezone"]) == ("2026-10-20", "2026-11-19", 3, "America/Chicago")
    assert body["totals"]["checked"]["count"] == 5 and body["totals"]["happened"]["n"] == 5
    first = body["plans"][0]
    assert (first["plan_id"], first["past"], first["checked"]["count"], first["happened"]["count"]) == (plc.id, 4, 3, 2)
    assert [o["status"] for o in first["occurrences"]] == ["heard", "checked", "heard", "cancelled", "not_checked"]
    assert first["occurrences"][2]["local_start"] == "2026-11-03T15:00:00-06:00"
    assert first["follow_ups"]["changed_practice"]["count"] == 1
    evidence = next(t for t in first["traits"] if t["key"] == "evidence")
    assert (evidence["count"], evidence["n"], evidence["focus"]) == (2, 3, True)


def test_the_page_shows_the_marks_in_words_and_the_figures(login_as, coverage_school):
    school, _plc, _team = coverage_school
    client, _ = login_as("observer")
    page = client.get(f"/schools/{school.id}/dashboard/coverage")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Tue 27 Oct: checked, not heard: did not meet" in html and "Thu 22 Oct: checked, not heard: logistics only" in html
    assert "Tue 10 Nov: cancelled" in html and "Tue 17 Nov: not checked" in html
    assert '<th scope="row">Grade 7 PLC' in html and "2 of 3" in html and "too few to read" in html
    assert 'aria-current="page">Coverage' in html


def test_the_other_dashboard_tabs_link_to_coverage(login_as, coverage_school):
    school, _plc, _team = coverage_school
    client, _ = login_as("viewer")
    html = client.get(f"/schools/{school.id}/dashboard/results").get_data(as_text=True)
    assert f'href="/schools/{school.id}/dashboard/coverage"' in html


def test_the_csv_has_a_row_per_plan_and_per_occurrence_and_is_audited(login_as, coverage_school):
    school, _plc, _team = coverage_school
    client, _ = login_as("principal")
    answer = client.get(f"/schools/{school.id}/dashboard/coverage.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[1][:11] == ["Grade 7 PLC", "plc", "", "4", "3",
                            "0.7500", "2", "0.6667", "0.2077", "0.9385", "no"]
    assert rows[1][18] == "evidence 2/3; action 1/3"
    occurrences = [row for row in rows if len(row) == 6 and row[0] in ("Grade 7 PLC", "Math data team")]
    assert len(occurrences) == 8 and ["Grade 7 PLC", "2026-10-27", "15:00", "checked", "not_held", "0"] in occurrences
    assert database.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "coverage")) is not None


FUTURE = (date.today() + timedelta(days=40)).isoformat()
BAD = {
    "reversed": ({"start": "2026-11-10", "end": "2026-10-01"}, "must be on or after the start day"),
    "ten years": ({"start": "2016-09-01", "end": "2026-08-31"}, "pick at most 400"),
    "future": ({"start": FUTURE}, "must not be in the future"),
    "not a date": ({"start": "2026-13-45"}, None),
    "year 9999": ({"end": "9999-01-01"}, None),
    "unknown parameter": ({"date_from": "2026-10-01"}, None),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_bad_range_is_a_clear_422(login_as, school, case):
    query, words = BAD[case]
    client, _ = login_as("principal")
    answer = client.get(f"/api/v1/coverage/schools/{school.id}", query_string=query)
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    if words:
        assert words in answer.get_data(as_text=True)
    page = client.get(f"/schools/{school.id}/dashboard/coverage", query_string=query)
    assert page.status_code == 422 and "This range needs a change" in page.get_data(as_text=True)
    assert client.get(f"/schools/{school.id}/dashboard/coverage.csv", query_string=query).status_code == 422


def test_a_range_reaching_into_the_future_is_answered(login_as, coverage_school):
    school, _plc, _team = coverage_school
    client, _ = login_as("principal")
    answer = client.get(f"/api/v1/coverage/schools/{school.id}", query_string={"start": "2026-10-01", "end": FUTURE})
    assert answer.status_code == 200


def test_another_school_is_a_404(login_as, coverage_school, other_school):
    client, _ = login_as("principal", target_school=other_school)
    school, _plc, _team = coverage_school
    assert client.get(f"/api/v1/coverage/schools/{school.id}").status_code == 404
    assert client.get(f"/schools/{school.id}/dashboard/coverage").status_code == 404
    assert client.get(f"/schools/{school.id}/dashboard/coverage.csv").status_code == 404


def test_a_school_without_plans_says_how_to_start(login_as, school):
    client, _ = login_as("viewer")
    html = client.get(f"/schools/{school.id}/dashboard/coverage").get_data(as_text=True)
    assert "no planned conversations yet" in html


def test_the_prepared_plans_are_what_their_schema_would_dump(coverage_school):
    """schemas/coverage.py passes `plans` through as the service made it: it must equal the schema's own dump."""
    from schemas.coverage import PlanCoverageSchema
    from server.coverage import service

    school, _plc, _team = coverage_school
    summary = service.school_coverage(school)
    dumped = PlanCoverageSchema(many=True).dump([service.plan_json(plan, prepared=False) for plan in summary.plans])
    assert service.as_json(summary)["plans"] == dumped
    assert dumped[0]["occurrences"][0]["day"] == "2026-10-20" and dumped[0]["occurrences"][3]["local_start"] is None
