"""Sign-in, sign-out and account changes leave one audit event each, never with a password in it."""
import json

import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.auth import service
from server.enums import Role
from tests.auth.pages import NEW_PASSWORD, PASSWORD, sign_in_on_page, submit


def events(db, action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def api_sign_in(client, email, password):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


@pytest.mark.parametrize("sign_in", [api_sign_in, sign_in_on_page], ids=["api", "page"])
def test_successful_sign_in_records_one_login_event(db, client, principal, sign_in):
    sign_in(client, principal.email, PASSWORD)
    [event] = events(db, "auth.login")
    assert event.actor_id == principal.id
    assert events(db, "auth.login_failed") == []


@pytest.mark.parametrize("sign_in", [api_sign_in, sign_in_on_page], ids=["api", "page"])
def test_failed_sign_in_records_one_event_with_only_the_email_domain(db, client, principal, sign_in):
    sign_in(client, principal.email, "Secret-Guess-4821")
    [event] = events(db, "auth.login_failed")
    assert event.details == {"email_domain": "lincoln.example.org"}
    stored = json.dumps([event.action, event.object_type, event.object_id, event.details])
    assert "Secret-Guess-4821" not in stored
    assert events(db, "auth.login") == []


def test_sign_out_records_a_logout_event(db, client, principal):
    sign_in_on_page(client, principal.email)
    submit(client, "/logout", {}, token_from="/account/password")
    [event] = events(db, "auth.logout")
    assert event.actor_id == principal.id


def test_password_change_records_an_event_without_the_passwords(db, client, principal):
    sign_in_on_page(client, principal.email)
    submit(client, "/account/password", {
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    [event] = events(db, "auth.password_changed")
    assert event.actor_id == principal.id
    assert NEW_PASSWORD not in json.dumps(event.details)


def test_sign_out_everywhere_records_how_many_sessions_ended(db, client, new_client, principal):
    api_sign_in(new_client(), principal.email, PASSWORD)
    sign_in_on_page(client, principal.email)
    submit(client, "/account/sign-out-everywhere", {}, token_from="/account/password")
    [event] = events(db, "auth.sessions_revoked")
    assert event.details == {"sessions": 2}


def test_accepted_invitation_records_an_event_in_the_school(db, client, school):
    invitation, token = service.create_invitation(school, "okafor@lincoln.example.org", Role.OBSERVER, invited_by=None)
    db.session.commit()
    submit(client, f"/invitations/{token}", {
        "name": "Grace Okafor", "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    [event] = events(db, "auth.invitation_accepted")
    assert event.school_id == school.id
    assert event.details == {"role": "observer"}
