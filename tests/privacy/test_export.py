"""The whole-school export: a zip of CSVs and a manifest, formula-safe, audited, for exporters only."""
from __future__ import annotations

import csv
import io
import json
import zipfile

from sqlalchemy import select

from server.audit.models import AuditEvent
from tests import factories
from tests.privacy.helpers import add_observation, populate

FILES = {"observations.csv", "walks.csv", "follow_ups.csv", "places.csv", "periods.csv", "staff.csv", "audit.csv", "plans.csv",
         "plan_checks.csv", "practice_scenarios.csv", "practice_answers.csv"}


def download(client, school):
    answer = client.get(f"/api/v1/schools/{school.id}/export")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(answer.data))


def rows(archive, name) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_the_export_holds_a_csv_per_kind_of_record_and_a_manifest(db, school, login_as):
    populate(school, "home")
    client, _ = login_as("principal")
    archive = download(client, school)
    assert set(archive.namelist()) == FILES | {"manifest.json"}
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["school"]["id"] == school.id and manifest["schema_revision"]
    assert manifest["generated_at"].endswith("+00:00")
    assert manifest["files"] == {name: len(rows(archive, name)) for name in FILES}
    assert manifest["files"]["observations.csv"] == 2 and manifest["files"]["places.csv"] == 3


def test_observations_carry_their_trait_levels_and_notes(db, school, login_as):
    observer = factories.create_user("observer", school, name="Avery Observer")
    observation = add_observation(school, observer, note="Shared the rubric")
    client, _ = login_as("principal")
    (row,) = rows(download(client, school), "observations.csv")
    levels = {t.trait_id: t.level for t in observation.trait_levels}
    trait_cells = {key.split(".", 1)[1]: value for key, value in row.items() if "." in key}
    assert len(trait_cells) == len(levels) and sorted(map(int, trait_cells.values())) == sorted(levels.values())
    assert (row["id"], row["note"], row["observer"]) == (str(observation.id), "Shared the rubric", "Avery Observer")


def test_staff_lists_names_emails_and_roles(db, school, login_as):
    factories.create_user("observer", school, email="avery@example.org", name="Avery Observer")
    client, _ = login_as("principal", email="dana@example.org")
    staff = {row["email"]: row["role"] for row in rows(download(client, school), "staff.csv")}
    assert staff == {"avery@example.org": "observer", "dana@example.org": "principal"}


def test_cells_that_look_like_formulas_are_quoted(db, school, login_as):
    observer = factories.create_user("observer", school, name="@SUM(A1)")
    for note in ("=HYPERLINK(\"http://x\")", "+1", "-2", "@cmd"):
        add_observation(school, observer, note=note, team="=Grade 7")
    client, _ = login_as("principal")
    exported = rows(download(client, school), "observations.csv")
    assert sorted(row["note"] for row in exported) == ["'+1", "'-2", "'=HYPERLINK(\"http://x\")", "'@cmd"]
    assert {row["team"] for row in exported} == {"'=Grade 7"} and {row["observer"] for row in exported} == {"'@SUM(A1)"}


def test_the_export_is_audited_with_counts(db, school, login_as):
    populate(school, "home")
    client, principal = login_as("principal")
    download(client, school)
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.school"))
    assert (event.actor_id, event.school_id, event.details["files"]["observations.csv"]) == (principal.id, school.id, 2)


def test_the_export_never_holds_another_schools_records(db, school, other_school, login_as):
    populate(school, "home")
    populate(other_school, "faraway")
    client, _ = login_as("principal")
    archive = download(client, school)
    assert not any("faraway" in archive.read(name).decode("utf-8-sig").lower() for name in archive.namelist())


def test_observers_and_viewers_cannot_export(db, school, login_as):
    for role in ("observer", "viewer"):
        client, _ = login_as(role)
        assert client.get(f"/api/v1/schools/{school.id}/export").status_code == 403


def test_plans_are_exported_one_row_per_schedule_version(db, school, login_as):
    populate(school, "home")
    client, _ = login_as("principal")
    (row,) = rows(download(client, school), "plans.csv")
    assert (row["name"], row["kind"], row["owner"], row["version"], row["rrule"], row["first_day"], row["focus_traits"]) == (
        "PLC home", "plc", "Principal home", "1", "FREQ=WEEKLY;BYDAY=TU", "2026-10-20", "evidence")


def test_plan_checks_and_the_plan_links_of_logs_are_exported(db, school, login_as):
    from datetime import date

    from server.observations.models import Observation
    from server.plans.checks import PlanCheck

    populate(school, "home")
    check = db.session.scalar(select(PlanCheck).where(PlanCheck.school_id == school.id))
    linked = db.session.scalars(select(Observation).where(Observation.school_id == school.id)).first()
    linked.plan_id, linked.plan_day = check.plan_id, date(2026, 10, 20)
    db.session.commit()
    client, _ = login_as("principal")
    archive = download(client, school)
    (row,) = rows(archive, "plan_checks.csv")
    assert (row["id"], row["plan_id"], row["day"], row["outcome"], row["observer"]) == (
        str(check.id), str(check.plan_id), "2026-10-27", "not_held", "Observer home")
    links = {(o["plan_id"], o["plan_day"]) for o in rows(archive, "observations.csv")}
    assert links == {(str(check.plan_id), "2026-10-20"), ("", "")}


def test_follow_ups_carry_their_re_listen_and_evidence(db, school, login_as):
    from server.enums import FollowUpStatus
    from tests.followups.helpers import create_follow_up, create_observation, now
    owner = factories.create_user("observer", school)
    source, later = create_observation(school, owner), create_observation(school, owner)
    create_follow_up(school, owner, observation_id=source.id, relisten=True, status=FollowUpStatus.DONE,
                     changed_practice=True, completed_at=now(), evidence_observation_id=later.id)
    client, _ = login_as("principal")
    (row,) = rows(download(client, school), "follow_ups.csv")
    assert (row["relisten"], row["evidence_observation_id"]) == ("True", str(later.id))


def test_the_export_holds_the_schools_practice_scenarios_and_answers(db, school, other_school, login_as):
    from tests.practice.helpers import answer_body, create_scenario

    scenario = create_scenario(school, title="=Ratios exit ticket")
    create_scenario(other_school, title="Another school's scenario")
    client, principal = login_as("principal")
    assert client.post("/api/v1/practice/answers", json=answer_body(scenario.id, {"evidence": 2})).status_code in (200, 201)
    archive = download(client, school)
    (written,) = rows(archive, "practice_scenarios.csv")
    assert written["title"] == "'=Ratios exit ticket" and "evidence=2: Why evidence is at level 2." in written["reference"]
    assert written["lines"].startswith("Teacher A: My fourth period")
    (answered,) = rows(archive, "practice_answers.csv")
    assert answered["person"] == principal.name and "evidence=2" in answered["levels"] and "people=0" in answered["levels"]
