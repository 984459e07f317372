"""Deleting a school (offboarding): its rows go from every table, no other school's row changes."""
from __future__ import annotations

from sqlalchemy import select

from server.audit.models import AuditEvent
from server.auth.models import User
from server.schools.models import School
from tests import factories
from tests.privacy.helpers import populate, table_counts

GLOBAL_TABLES = {"district", "rubric", "trait"}  # shared by the district's schools or built in


def two_schools_in_one_district(db):
    """Keeper's data first (the baseline), then the leaving school's data on top of it."""
    district = factories.create_district("Maple Valley")
    keeper = factories.create_school("Keeper Middle", district=district)
    populate(keeper, "keeper")
    admin = factories.create_user("district_admin", keeper, email="admin@example.org")
    baseline = table_counts()
    leaving = factories.create_school("Leaving Elementary", district=district)
    populate(leaving, "leaving")
    return keeper, leaving, admin, baseline


def test_deleting_a_school_empties_its_rows_in_every_table_and_leaves_the_others(db, app):
    keeper, leaving, admin, baseline = two_schools_in_one_district(db)
    grown = {name for name, count in table_counts().items() if count > baseline[name]}
    assert grown == set(baseline) - GLOBAL_TABLES - {"alembic_version"}, "the fixture must touch every school table"
    result = app.test_cli_runner().invoke(args=["delete-school", str(leaving.id), "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    after = table_counts()
    assert {name: after[name] - baseline[name] for name in after if after[name] != baseline[name]} == {"audit_event": 1}
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "school.deleted"))
    assert (event.school_id, event.district_id, event.object_id) == (None, keeper.district_id, str(leaving.id))


def test_district_admin_deletes_a_school_through_the_api(db, login_as):
    keeper, leaving, admin, baseline = two_schools_in_one_district(db)
    client, _ = login_as("district_admin", target_school=leaving)
    answer = client.post(f"/api/v1/schools/{leaving.id}/delete", json={"confirm_name": "Leaving Elementary"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["rows"]["observation"] == 2 and answer.get_json()["staff_deleted"] == 2
    assert db.session.get(School, leaving.id) is None and db.session.get(School, keeper.id) is not None
    assert db.session.scalar(select(User).where(User.email == "observer-leaving@example.org")) is None
    assert db.session.scalar(select(User).where(User.email == "observer-keeper@example.org")) is not None


def test_a_wrong_confirmation_name_deletes_nothing(db, login_as):
    keeper, leaving, admin, baseline = two_schools_in_one_district(db)
    client, _ = login_as("district_admin", target_school=leaving)
    before = table_counts()
    answer = client.post(f"/api/v1/schools/{leaving.id}/delete", json={"confirm_name": "Keeper Middle"})
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert table_counts() == before


def test_a_principal_cannot_delete_their_school(db, school, login_as):
    client, _ = login_as("principal")
    answer = client.post(f"/api/v1/schools/{school.id}/delete", json={"confirm_name": school.name})
    assert answer.status_code == 403
    assert db.session.get(School, school.id) is not None


def test_staff_with_a_role_in_another_school_keep_their_account(db, login_as):
    keeper, leaving, admin, baseline = two_schools_in_one_district(db)
    shared = factories.create_user("observer", leaving, email="shared@example.org")
    from server.auth import service as auth_service
    from server.enums import Role

    auth_service.grant_role(shared, Role.OBSERVER, school=keeper)
    db.session.commit()
    client, _ = login_as("district_admin", target_school=leaving)
    assert client.post(f"/api/v1/schools/{leaving.id}/delete", json={"confirm_name": "Leaving Elementary"}).status_code == 200
    assert db.session.scalar(select(User.id).where(User.email == "shared@example.org")) == shared.id


def test_the_page_form_deletes_the_school_and_goes_back_to_the_list(db, login_as):
    keeper, leaving, admin, baseline = two_schools_in_one_district(db)
    client, _ = login_as("district_admin", target_school=leaving)
    answer = client.post(f"/schools/{leaving.id}/delete", data={"confirm_name": "Leaving Elementary"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/schools")
    assert db.session.get(School, leaving.id) is None


def test_the_command_needs_yes(db, app, school):
    result = app.test_cli_runner().invoke(args=["delete-school", str(school.id)])
    assert result.exit_code != 0 and "--yes" in result.output
    assert db.session.get(School, school.id) is not None
