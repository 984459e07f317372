"""Staff: the list, role changes, removals (never the last principal) and invitations."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.auth import service as auth_service
from server.auth.models import AuthSession, Invitation, Membership
from server.db import utcnow
from server.enums import Role
from tests import factories


def membership_of(db, user, school):
    db.session.expire_all()
    return db.session.scalar(select(Membership).where(Membership.user_id == user.id, Membership.school_id == school.id))


def audit_events(db, action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_principal_sees_the_staff_list(login_as, school, db):
    client, principal = login_as("principal", email="pat@example.org")
    colleague = factories.create_user("observer", school, email="ola@example.org", name="Ola Observer")
    response = client.get(f"/api/v1/schools/{school.id}/members")
    assert response.status_code == 200
    rows = {row["email"]: row for row in response.get_json()}
    assert rows["ola@example.org"] == {"id": membership_of(db, colleague, school).id, "user_id": colleague.id,
                                       "name": "Ola Observer", "email": "ola@example.org", "role": "observer"}
    assert rows["pat@example.org"]["role"] == "principal"


@pytest.mark.parametrize("role", ["observer", "viewer"])
def test_observers_and_viewers_cannot_see_the_staff_list(login_as, school, role):
    client, _ = login_as(role)
    assert client.get(f"/api/v1/schools/{school.id}/members").status_code == 403


def test_principal_changes_a_role(login_as, school, db):
    client, principal = login_as("principal")
    colleague = factories.create_user("observer", school)
    membership_id = membership_of(db, colleague, school).id
    response = client.patch(f"/api/v1/memberships/{membership_id}", json={"role": "viewer"})
    assert response.status_code == 200
    assert response.get_json()["role"] == "viewer"
    assert membership_of(db, colleague, school).role.value == "viewer"
    [event] = audit_events(db, "membership.role_changed")
    assert (event.actor_id, event.details) == (principal.id, {"user_id": colleague.id, "from": "observer", "to": "viewer"})


@pytest.mark.parametrize("body", [{"role": "district_admin"}, {"role": "boss"}, {}, {"role": "viewer", "user_id": 1}])
def test_invalid_role_change_is_refused(login_as, school, db, body):
    client, _ = login_as("principal")
    colleague = factories.create_user("observer", school)
    response = client.patch(f"/api/v1/memberships/{membership_of(db, colleague, school).id}", json=body)
    assert response.status_code == 422
    assert membership_of(db, colleague, school).role.value == "observer"


def test_principal_cannot_demote_the_last_principal(login_as, school, db):
    client, principal = login_as("principal")
    response = client.patch(f"/api/v1/memberships/{membership_of(db, principal, school).id}", json={"role": "observer"})
    assert response.status_code == 409
    assert "at least one principal" in response.get_json()["detail"]
    assert membership_of(db, principal, school).role.value == "principal"


def test_principal_cannot_remove_the_last_principal(login_as, school, db):
    client, principal = login_as("principal")
    response = client.delete(f"/api/v1/memberships/{membership_of(db, principal, school).id}")
    assert response.status_code == 409
    assert membership_of(db, principal, school) is not None


def test_principal_may_step_down_when_another_principal_remains(login_as, school, db):
    client, principal = login_as("principal")
    factories.create_user("principal", school)
    response = client.patch(f"/api/v1/memberships/{membership_of(db, principal, school).id}", json={"role": "observer"})
    assert response.status_code == 200


def test_district_admin_may_remove_the_last_principal(login_as, school, db):
    client, _ = login_as("district_admin")
    principal = factories.create_user("principal", school)
    assert client.delete(f"/api/v1/memberships/{membership_of(db, principal, school).id}").status_code == 204


def test_removing_a_member_takes_the_role_away_and_is_audited(login_as, school, db):
    client, principal = login_as("principal")
    colleague = factories.create_user("observer", school)
    membership_id = membership_of(db, colleague, school).id
    assert client.delete(f"/api/v1/memberships/{membership_id}").status_code == 204
    assert membership_of(db, colleague, school) is None
    [event] = audit_events(db, "membership.removed")
    assert (event.actor_id, event.object_id, event.details) == (
        principal.id, str(membership_id), {"user_id": colleague.id, "role": "observer"})


def test_member_left_with_no_role_is_signed_out(login_as, school, db):
    client, _ = login_as("principal")
    colleague_client, colleague = login_as("observer")
    assert colleague_client.get("/api/v1/auth/me").status_code == 200
    client.delete(f"/api/v1/memberships/{membership_of(db, colleague, school).id}")
    assert db.session.scalars(select(AuthSession).where(AuthSession.user_id == colleague.id)).all() == []
    assert colleague_client.get("/api/v1/auth/me").status_code == 401


def test_member_with_a_role_elsewhere_stays_signed_in(login_as, school, db):
    client, _ = login_as("principal")
    colleague_client, colleague = login_as("observer")
    sister = factories.create_school(name="Adams Elementary", district=school.district)
    auth_service.grant_role(colleague, Role.VIEWER, school=sister)
    db.session.commit()
    client.delete(f"/api/v1/memberships/{membership_of(db, colleague, school).id}")
    assert colleague_client.get("/api/v1/auth/me").status_code == 200


@pytest.mark.parametrize("role", ["observer", "viewer"])
def test_observers_and_viewers_cannot_change_or_remove_roles(login_as, school, db, role):
    client, _ = login_as(role)
    colleague = factories.create_user("observer", school)
    membership_id = membership_of(db, colleague, school).id
    assert client.patch(f"/api/v1/memberships/{membership_id}", json={"role": "principal"}).status_code == 403
    assert client.delete(f"/api/v1/memberships/{membership_id}").status_code == 403
    assert membership_of(db, colleague, school).role.value == "observer"


def test_district_admin_membership_is_not_a_school_membership(login_as, school, db):
    client, _ = login_as("principal")
    admin = factories.create_user("district_admin", school)
    membership = db.session.scalar(select(Membership).where(Membership.user_id == admin.id))
    assert client.patch(f"/api/v1/memberships/{membership.id}", json={"role": "viewer"}).status_code == 404


def test_principal_invites_a_colleague_and_gets_a_one_time_link(login_as, school, db):
    client, principal = login_as("principal")
    response = client.post(f"/api/v1/schools/{school.id}/invitations",
                           json={"email": "New.Teacher@Example.org", "name": "Nia Teacher", "role": "observer"})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["email"], body["name"], body["role"], body["used_at"]) == (
        "new.teacher@example.org", "Nia Teacher", "observer", None)
    assert body["link"].startswith("http://localhost/invitations/")
    token = body["link"].rsplit("/", 1)[1]
    invitation = db.session.get(Invitation, body["id"])
    assert token not in invitation.token_hash
    assert timedelta(days=6, hours=23) < invitation.expires_at - utcnow() <= timedelta(days=7)
    [event] = audit_events(db, "invitation.created")
    assert (event.actor_id, event.school_id) == (principal.id, school.id)
    assert token not in str(event.details)


def test_invitation_link_lets_the_colleague_join(login_as, school, db, app):
    client, _ = login_as("principal")
    link = client.post(f"/api/v1/schools/{school.id}/invitations",
                       json={"email": "nia@example.org", "name": "Nia", "role": "viewer"}).get_json()["link"]
    newcomer = app.test_client()
    assert newcomer.get(link.replace("http://localhost", "")).status_code == 200


def test_pending_invitations_never_show_the_link(login_as, school):
    client, _ = login_as("principal")
    client.post(f"/api/v1/schools/{school.id}/invitations", json={"email": "nia@example.org", "role": "viewer"})
    response = client.get(f"/api/v1/schools/{school.id}/invitations")
    assert response.status_code == 200
    [row] = response.get_json()
    assert row["email"] == "nia@example.org"
    assert "link" not in row


def test_expired_and_used_invitations_are_not_pending(login_as, school, db):
    client, principal = login_as("principal")
    expired, _ = auth_service.create_invitation(school, "old@example.org", Role.VIEWER, principal,
                                                valid_for=timedelta(seconds=-1))
    used, _ = auth_service.create_invitation(school, "used@example.org", Role.VIEWER, principal)
    used.used_at = utcnow()
    db.session.commit()
    assert client.get(f"/api/v1/schools/{school.id}/invitations").get_json() == []


def test_inviting_the_same_email_again_replaces_the_earlier_link(login_as, school, db):
    client, _ = login_as("principal")
    first = client.post(f"/api/v1/schools/{school.id}/invitations", json={"email": "nia@example.org", "role": "viewer"})
    second = client.post(f"/api/v1/schools/{school.id}/invitations", json={"email": "nia@example.org", "role": "observer"})
    assert (first.status_code, second.status_code) == (201, 201)
    assert [row["role"] for row in client.get(f"/api/v1/schools/{school.id}/invitations").get_json()] == ["observer"]
    assert [i.role.value for i in db.session.scalars(select(Invitation))] == ["observer"]


def test_inviting_someone_already_on_staff_is_a_conflict(login_as, school, db):
    client, _ = login_as("principal")
    factories.create_user("observer", school, email="ola@example.org", name="Ola Observer")
    response = client.post(f"/api/v1/schools/{school.id}/invitations", json={"email": "OLA@example.org", "role": "viewer"})
    assert response.status_code == 409
    assert "Ola Observer is already on the staff" in response.get_json()["detail"]
    assert db.session.scalars(select(Invitation)).all() == []


@pytest.mark.parametrize("body", [
    {"email": "not-an-email", "role": "viewer"},
    {"email": "nia@example.org", "role": "district_admin"},
    {"email": "nia@example.org"},
    {"email": "nia@example.org", "role": "viewer", "school_id": 9},
    {"email": "nia@example.org", "role": "viewer", "name": "Nia\x00"},
])
def test_invalid_invitation_is_refused(login_as, school, db, body):
    client, _ = login_as("principal")
    assert client.post(f"/api/v1/schools/{school.id}/invitations", json=body).status_code == 422
    assert db.session.scalars(select(Invitation)).all() == []


def test_principal_revokes_an_invitation(login_as, school, db, app):
    client, _ = login_as("principal")
    created = client.post(f"/api/v1/schools/{school.id}/invitations",
                          json={"email": "nia@example.org", "role": "viewer"}).get_json()
    assert client.delete(f"/api/v1/invitations/{created['id']}").status_code == 204
    assert db.session.get(Invitation, created["id"]) is None
    assert app.test_client().get(created["link"].replace("http://localhost", "")).status_code == 404
    assert len(audit_events(db, "invitation.revoked")) == 1


def test_accepted_invitation_cannot_be_revoked(login_as, school, db):
    client, principal = login_as("principal")
    invitation, _ = auth_service.create_invitation(school, "used@example.org", Role.VIEWER, principal)
    invitation.used_at = utcnow()
    db.session.commit()
    assert client.delete(f"/api/v1/invitations/{invitation.id}").status_code == 409


@pytest.mark.parametrize("role", ["observer", "viewer"])
def test_observers_and_viewers_cannot_invite_or_revoke(login_as, school, db, role):
    principal_client, _ = login_as("principal")
    created = principal_client.post(f"/api/v1/schools/{school.id}/invitations",
                                    json={"email": "nia@example.org", "role": "viewer"}).get_json()
    client, _ = login_as(role)
    assert client.post(f"/api/v1/schools/{school.id}/invitations",
                       json={"email": "sam@example.org", "role": "principal"}).status_code == 403
    assert client.get(f"/api/v1/schools/{school.id}/invitations").status_code == 403
    assert client.delete(f"/api/v1/invitations/{created['id']}").status_code == 403
    assert [i.email for i in db.session.scalars(select(Invitation))] == ["nia@example.org"]
