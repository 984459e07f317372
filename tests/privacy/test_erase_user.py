"""Erasing a person: their observations stay for the aggregates, nothing identifies them any more."""
from __future__ import annotations

from sqlalchemy import func, select

from server.audit.models import AuditEvent
from server.auth.models import AuthSession, User
from server.auth import service as auth_service
from server.enums import Role
from server.followups.models import FollowUp
from server.observations.models import Observation, ObservationTraitLevel
from server.push.models import PushSubscription, Reminder
from server.walks.models import Walk
from tests import factories
from tests.privacy.helpers import memberships_of, populate


def count(model, *conditions) -> int:
    from server.db import db

    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_erased_observers_observations_stay_with_no_observer(db, school, login_as):
    people = populate(school, "home")
    client, _ = login_as("principal")
    observer_id = people["observer"].id
    levels_before = count(ObservationTraitLevel)
    answer = client.post(f"/api/v1/schools/{school.id}/members/{observer_id}/erase")
    assert answer.status_code == 200, answer.get_json()
    db.session.expire_all()
    assert count(Observation, Observation.school_id == school.id) == 2
    assert count(ObservationTraitLevel) == levels_before
    assert count(Observation, Observation.observer_id == observer_id) == 0
    assert count(Walk, Walk.observer_id == observer_id) == 0
    assert count(FollowUp, FollowUp.owner_id == observer_id) == 0 and count(FollowUp) == 1


def test_erased_person_has_no_name_email_roles_sessions_or_devices(db, school, login_as):
    people = populate(school, "home")
    client, _ = login_as("principal")
    observer_id = people["observer"].id
    assert client.post(f"/api/v1/schools/{school.id}/members/{observer_id}/erase").status_code == 200
    db.session.expire_all()
    user = db.session.get(User, observer_id)
    assert "home" not in user.name.lower() and "observer-home" not in user.email
    assert user.password_hash is None and not user.active
    assert memberships_of(observer_id) == 0
    assert count(AuthSession, AuthSession.user_id == observer_id) == 0
    assert count(PushSubscription, PushSubscription.user_id == observer_id) == 0
    assert count(Reminder, Reminder.user_id == observer_id) == 0


def test_an_erased_person_is_signed_out_at_once(db, school, login_as):
    client, _ = login_as("principal")
    observer_client, observer = login_as("observer")
    assert observer_client.get("/api/v1/auth/me").status_code == 200
    assert client.post(f"/api/v1/schools/{school.id}/members/{observer.id}/erase").status_code == 200
    assert observer_client.get("/api/v1/auth/me").status_code == 401


def test_erasure_is_audited_with_counts_only(db, school, login_as):
    people = populate(school, "home")
    client, principal = login_as("principal")
    client.post(f"/api/v1/schools/{school.id}/members/{people['observer'].id}/erase")
    (event,) = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.erased"))
    assert (event.actor_id, event.school_id, event.object_id) == (principal.id, school.id, str(people["observer"].id))
    assert event.details["observations"] == 1 and "observer-home" not in str(event.details)


def test_a_principal_cannot_erase_someone_who_also_works_elsewhere(db, school, other_school, login_as):
    shared = factories.create_user("observer", school, email="shared@example.org")
    auth_service.grant_role(shared, Role.OBSERVER, school=other_school)
    db.session.commit()
    client, _ = login_as("principal")
    answer = client.post(f"/api/v1/schools/{school.id}/members/{shared.id}/erase")
    assert answer.status_code == 409 and answer.mimetype == "application/problem+json"
    db.session.expire_all()
    assert db.session.get(User, shared.id).email == "shared@example.org" and memberships_of(shared.id) == 2


def test_a_person_of_another_school_is_not_found(db, school, other_school, login_as):
    stranger = factories.create_user("observer", other_school, email="stranger@example.org")
    client, _ = login_as("principal")
    answer = client.post(f"/api/v1/schools/{school.id}/members/{stranger.id}/erase")
    assert answer.status_code == 404
    assert db.session.get(User, stranger.id).email == "stranger@example.org"


def test_an_id_too_large_for_the_database_is_not_found(db, school, login_as):
    client, _ = login_as("principal")
    assert client.post(f"/api/v1/schools/{school.id}/members/{2**70}/erase").status_code == 404


def test_observers_cannot_erase_anyone(db, school, login_as):
    colleague = factories.create_user("observer", school)
    client, _ = login_as("observer")
    assert client.post(f"/api/v1/schools/{school.id}/members/{colleague.id}/erase").status_code == 403


def test_principals_cannot_erase_themselves(db, school, login_as):
    client, principal = login_as("principal")
    assert client.post(f"/api/v1/schools/{school.id}/members/{principal.id}/erase").status_code == 409


def test_the_command_erases_by_email_with_yes(db, app, school):
    person = factories.create_user("observer", school, email="leaving@example.org")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["erase-user", "leaving@example.org"])
    assert refused.exit_code != 0 and "--yes" in refused.output
    result = runner.invoke(args=["erase-user", "Leaving@Example.org", "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(User, person.id).email != "leaving@example.org"
