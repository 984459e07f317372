"""The brief's figures against the hand-built school (tests/brief/conftest.py), on both engines."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.brief import sections
from tests.brief.conftest import END, NOTE, OBSERVER_NAME, START

PERIOD = {"start": START, "end": END}


def api(client, school, **query):
    return client.get(f"/api/v1/brief/schools/{school.id}", query_string=query)


def change(body, subject):
    return next(c for c in body["changes"] if c["subject"] == subject)


def test_a_change_is_named_only_when_larger_than_its_uncertainty(login_as, brief_school):
    client, _ = login_as("principal")
    body = api(client, brief_school, **PERIOD).get_json()
    assert (body["previous_start"], body["previous_end"]) == ("2026-11-02", "2026-11-15")
    evidence = change(body, "Evidence")
    assert (evidence["before"], evidence["n_before"], evidence["n_after"]) == (0.2, 10, 12)
    assert evidence["after"] == pytest.approx(8 / 12)
    # By hand: Wilson(8, 12) = (0.3906, 0.8619), Wilson(2, 10) = (0.0567, 0.5098); Newcombe's interval of
    # 0.4667 is -sqrt(0.2761² + 0.3098²) = -0.4150 and +sqrt(0.1952² + 0.1433²) = +0.2422: just clear of 0.
    assert (evidence["interval_low"], evidence["interval_high"]) == pytest.approx((0.0517, 0.7088), abs=1e-3)
    assert evidence["clear"] and evidence["direction"] == "rose"
    assert evidence["words"].startswith("Evidence rose from 20% to 67%")
    substantive = change(body, "Substantive")  # 6/10 before; now 5/10 of PLCs and 0/2 hallway chats
    assert (substantive["before"], substantive["n_after"]) == (0.6, 12)
    assert not substantive["clear"] and substantive["direction"] is None and "no clear change" in substantive["words"]


def test_the_period_in_numbers_and_the_followups_of_the_period(login_as, brief_school):
    client, _ = login_as("principal")
    body = api(client, brief_school, **PERIOD).get_json()
    assert body["numbers"]["conversations"] == 12
    assert body["numbers"]["hours"] == pytest.approx(1.0)
    assert body["numbers"]["rate"] == pytest.approx(1.0)  # one conversation heard on the one-hour walk
    now, before = body["results"]
    assert (now["opened"], now["closed_on_time"], now["changed_practice"]["changed"]) == (1, 1, 1)
    assert now["changed_practice"]["few"] is True and before["opened"] == 0
    assert body["questions"][0]["finding"] == "Questions is the rarest trait: heard in 0% of 12 conversations."
    assert len(body["questions"]) <= 5
    assert all(q["finding"] and q["source"] in ("quality", "frequency", "trends") for q in body["questions"])


def test_leadership_version_names_observers_notes_and_every_team(login_as, brief_school):
    client, _ = login_as("principal")
    body = api(client, brief_school, **PERIOD).get_json()
    assert body["version"] == "leadership"
    assert [o["name"] for o in body["observers"]] == [OBSERVER_NAME]
    assert body["observers"][0]["walks"] == 1 and body["observers"][0]["conversations"] == 12
    assert [n["note"] for n in body["notes"]] == [NOTE]
    teams = [row["label"] for row in body["tables"]["teams"]["rows"]]
    assert "Art" in teams and "Grade 7" in teams
    html = client.get(f"/schools/{brief_school.id}/brief", query_string=PERIOD).get_data(as_text=True)
    assert OBSERVER_NAME in html and NOTE in html


@pytest.mark.parametrize("role", ["viewer", "observer"])
def test_viewers_and_observers_get_only_the_staff_version(login_as, brief_school, role):
    client, _ = login_as(role)
    body = api(client, brief_school, **PERIOD).get_json()
    assert body["version"] == "staff" and body["observers"] == [] and body["notes"] == []
    refused = api(client, brief_school, version="leadership", **PERIOD)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    for query in (PERIOD, {**PERIOD, "version": "staff"}):
        html = client.get(f"/schools/{brief_school.id}/brief", query_string=query).get_data(as_text=True)
        assert OBSERVER_NAME not in html and "QX7NOTE" not in html and "Who listened" not in html
    page = client.get(f"/schools/{brief_school.id}/brief", query_string={**PERIOD, "version": "leadership"})
    assert page.status_code == 403 and "staff version" in page.get_data(as_text=True)


def test_staff_version_never_shows_a_cell_under_the_minimum_n(login_as, brief_school):
    client, _ = login_as("principal")
    body = api(client, brief_school, version="staff", **PERIOD).get_json()
    assert body["observers"] == [] and body["notes"] == []
    shown = 0
    for table in body["tables"].values():
        for row in table["rows"]:
            for cell in row["cells"]:
                if cell["few"]:
                    assert cell["value"] is None and cell["n"] == 0 and cell["heard"] is None
                elif not cell["empty"]:
                    assert cell["n"] >= 3
                    shown += 1
    assert shown
    assert "Art" not in [row["label"] for row in body["tables"]["teams"]["rows"]]  # 2 conversations
    html = client.get(f"/schools/{brief_school.id}/brief", query_string={**PERIOD, "version": "staff"}).get_data(as_text=True)
    assert ">Art<" not in html and "under 3" in html


def test_every_brief_made_is_in_the_audit_log(login_as, brief_school, db):
    client, user = login_as("principal")
    assert api(client, brief_school, **PERIOD).status_code == 200
    assert client.get(f"/schools/{brief_school.id}/brief", query_string={**PERIOD, "version": "staff"}).status_code == 200
    assert client.get(f"/schools/{brief_school.id}/brief.pdf", query_string={**PERIOD, "paper": "letter"}).status_code == 200
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "brief.generated")
                                .order_by(AuditEvent.id)).all()
    assert [(e.actor_id, e.school_id) for e in events] == [(user.id, brief_school.id)] * 3
    assert [e.details for e in events] == [
        {"start": START, "end": END, "version": "leadership", "format": "json"},
        {"start": START, "end": END, "version": "staff", "format": "html"},
        {"start": START, "end": END, "version": "leadership", "format": "pdf", "paper": "letter"}]
    log = client.get(f"/schools/{brief_school.id}/audit").get_data(as_text=True)
    assert "made the staff meeting brief of Lincoln Middle School for 2026-11-16 to 2026-11-29 (page)" in log


def test_default_period_is_two_weeks_then_since_the_last_brief(login_as, brief_school):
    client, _ = login_as("principal")
    first = api(client, brief_school).get_json()
    end = date.fromisoformat(first["end"])
    assert date.fromisoformat(first["start"]) == end - timedelta(days=13)
    assert "two weeks" in first["period_reason"]
    api(client, brief_school, start=START, end=(end - timedelta(days=10)).isoformat())
    second = api(client, brief_school).get_json()
    assert date.fromisoformat(second["start"]) == end - timedelta(days=9) and second["end"] == first["end"]
    assert "since the last brief" in second["period_reason"]
    api(client, brief_school, start=START, end=(end - timedelta(days=2)).isoformat())
    third = api(client, brief_school).get_json()  # two days since the last brief: still a week
    assert date.fromisoformat(third["start"]) == end - timedelta(days=6) and "the last week" in third["period_reason"]


def test_a_feature_slots_its_section_in_through_the_hook(login_as, brief_school):
    seen = []

    @sections.provides(10)
    def coverage(context):
        seen.append((context.school.id, context.staff, context.min_n, context.start.isoformat()))
        return sections.Section("coverage", "Planned conversations held", ["4 of 5 planned PLCs were held."],
                                ["Plan", "Held"], [["Grade 7 PLC", "4 of 5"]])

    @sections.provides(20)
    def calibration(context):
        return None  # no data: no empty heading

    try:
        client, _ = login_as("principal")
        body = api(client, brief_school, version="staff", **PERIOD).get_json()
        html = client.get(f"/schools/{brief_school.id}/brief", query_string=PERIOD).get_data(as_text=True)
    finally:
        sections.withdraw(coverage)
        sections.withdraw(calibration)
    assert [s["key"] for s in body["sections"]] == ["coverage"]
    assert body["sections"][0]["rows"] == [["Grade 7 PLC", "4 of 5"]]
    assert seen[0] == (brief_school.id, True, 3, START)
    assert "Planned conversations held" in html and "Grade 7 PLC" in html
    assert api(client, brief_school, **PERIOD).get_json()["sections"] == []


def test_an_empty_period_says_so(login_as, brief_school):
    client, _ = login_as("principal")
    body = api(client, brief_school, start="2026-01-05", end="2026-01-09").get_json()
    assert body["numbers"]["conversations"] == 0 and body["changes"] == [] and body["questions"] == []
    page = client.get(f"/schools/{brief_school.id}/brief", query_string={"start": "2026-01-05", "end": "2026-01-09"})
    assert page.status_code == 200 and "No conversations were logged in this period" in page.get_data(as_text=True)


def test_district_admin_compares_the_schools_side_by_side(login_as, brief_school, db):
    from tests import factories

    second = factories.create_school(name="Second School", district=brief_school.district)
    client, _ = login_as("district_admin")
    body = client.get(f"/api/v1/brief/districts/{brief_school.district_id}", query_string=PERIOD).get_json()
    assert [s["name"] for s in body["schools"]] == ["Lincoln Middle School", "Second School"]
    assert body["numbers"]["schools"] == 2 and body["numbers"]["schools_with_data"] == 1
    assert body["schools"][0]["numbers"]["conversations"] == 12 and body["schools"][1]["numbers"]["conversations"] == 0
    evidence = next(c for c in body["changes"] if c["subject"] == "Evidence")
    assert evidence["school"] == "Lincoln Middle School" and evidence["clear"]
    page = client.get(f"/district/{brief_school.district_id}/brief", query_string=PERIOD)
    assert page.status_code == 200 and "Second School" in page.get_data(as_text=True)
    principal, _ = login_as("principal")
    assert principal.get(f"/api/v1/brief/districts/{brief_school.district_id}").status_code == 403
    assert principal.get(f"/district/{brief_school.district_id}/brief").status_code == 403
    assert second.id
