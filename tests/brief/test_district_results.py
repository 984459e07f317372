"""The district brief reads every school's follow-up results in one query: each school's line must equal
what that school's own brief (its own per-school read) says, in each school's own time zone and minimum n.

Three schools of one district, period 16–29 Nov 2026 (each school's local days):
  Lincoln (America/Chicago, min n 3)  opened 16 Nov 00:30 done on time, changed; 29 Nov 23:30 done late, not
                                      changed; 30 Nov 00:30 (after the period); 15 Nov 23:30 (before it);
                                      one deleted
  Harbour (Pacific/Auckland, min n 1) opened 16 Nov 00:30 open, overdue; 29 Nov 23:30 dropped; one done
                                      changed 20 Nov
  Quiet (Europe/London)               none
A school of another district has a follow-up in the period: never counted.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from server.enums import FollowUpStatus
from server.followups.models import FollowUp
from tests import factories

PERIOD = {"start": "2026-11-16", "end": "2026-11-29"}


def local(school, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(school.timezone)).astimezone(timezone.utc)


def follow_up(db, school, owner, opened, due, status, completed=None, changed=None, deleted=False):
    db.session.add(FollowUp(
        id=uuid.uuid4(), school_id=school.id, owner_id=owner.id, created_by_id=owner.id, action="Look at the quiz data",
        due_at=local(school, due), status=status, completed_at=local(school, completed) if completed else None,
        changed_practice=changed, created_at=local(school, opened),
        deleted_at=local(school, opened) if deleted else None))


@pytest.fixture()
def district_schools(db, school):
    school.min_cell_n = 3
    harbour = factories.create_school(name="Harbour High", district=school.district, timezone="Pacific/Auckland")
    harbour.min_cell_n = 1
    factories.create_school(name="Quiet Elementary", district=school.district, timezone="Europe/London")
    elsewhere = factories.create_school(name="Elsewhere", timezone="America/Chicago")
    people = {s.id: factories.create_user(role="observer", school=s) for s in (school, harbour, elsewhere)}
    done, dropped, still_open = FollowUpStatus.DONE, FollowUpStatus.DROPPED, FollowUpStatus.OPEN
    follow_up(db, school, people[school.id], "2026-11-16 00:30", "2026-11-18 15:00", done, "2026-11-18 16:00", True)
    follow_up(db, school, people[school.id], "2026-11-29 23:30", "2026-11-30 09:00", done, "2026-12-01 09:00", False)
    follow_up(db, school, people[school.id], "2026-11-30 00:30", "2026-12-02 09:00", done, "2026-12-01 09:00", True)
    follow_up(db, school, people[school.id], "2026-11-15 23:30", "2026-11-18 09:00", done, "2026-11-17 09:00", True)
    follow_up(db, school, people[school.id], "2026-11-20 10:00", "2026-11-25 09:00", done, "2026-11-21 09:00", True,
              deleted=True)
    follow_up(db, harbour, people[harbour.id], "2026-11-16 00:30", "2026-11-20 09:00", still_open)
    follow_up(db, harbour, people[harbour.id], "2026-11-29 23:30", "2026-12-03 09:00", dropped, "2026-11-30 09:00")
    follow_up(db, harbour, people[harbour.id], "2026-11-18 10:00", "2026-11-20 09:00", done, "2026-11-20 08:00", True)
    follow_up(db, elsewhere, people[elsewhere.id], "2026-11-18 10:00", "2026-11-20 09:00", done, "2026-11-19 08:00", True)
    db.session.commit()
    return school


def without_label(line: dict) -> dict:
    return {name: value for name, value in line.items() if name != "label"}


def test_each_schools_line_matches_its_own_brief_and_results_page(login_as, district_schools):
    client, _ = login_as("district_admin")
    district = client.get(f"/api/v1/brief/districts/{district_schools.district_id}", query_string=PERIOD).get_json()
    assert [row["name"] for row in district["schools"]] == ["Harbour High", "Lincoln Middle School", "Quiet Elementary"]
    for row in district["schools"]:
        own = client.get(f"/api/v1/brief/schools/{row['school_id']}", query_string=PERIOD).get_json()
        assert without_label(row["results"]) == without_label(own["results"][0])
        assert row["results"]["label"] == row["name"]
        page = client.get(f"/api/v1/results/schools/{row['school_id']}",
                          query_string={"date_from": PERIOD["start"], "date_to": PERIOD["end"]}).get_json()
        totals = {name: value for name, value in without_label(row["results"]).items() if name not in ("start", "end")}
        assert totals == page["totals"]  # the Results page's own per-school read, breakdowns and all


def test_each_school_counts_its_own_local_days_and_minimum(login_as, district_schools):
    client, _ = login_as("district_admin")
    district = client.get(f"/api/v1/brief/districts/{district_schools.district_id}", query_string=PERIOD).get_json()
    harbour, lincoln, quiet = (row["results"] for row in district["schools"])
    assert (lincoln["opened"], lincoln["closed_on_time"], lincoln["closed_late"]) == (2, 1, 1)
    assert lincoln["changed_practice"] | {"interval_low": None, "interval_high": None} == {
        "n": 2, "changed": 1, "share": 0.5, "few": True, "interval_low": None, "interval_high": None}
    assert (harbour["opened"], harbour["open"], harbour["overdue"], harbour["dropped"], harbour["closed_on_time"]) == (3, 1, 1, 1, 1)
    assert harbour["changed_practice"]["n"] == 1 and harbour["changed_practice"]["few"] is False
    assert quiet["opened"] == 0 and quiet["changed_practice"]["n"] == 0 and quiet["changed_practice"]["share"] is None
    assert [line["label"] for line in district["results"]] == ["Harbour High", "Lincoln Middle School", "Quiet Elementary"]
