"""Joining a school from an invitation link: new accounts, existing accounts, dead links."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.auth import service
from server.auth.models import Membership, User
from server.db import db as database
from server.enums import Role
from tests import factories
from tests.auth.pages import NEW_PASSWORD, sign_in_on_page, submit, visible_text


def invite(school, email="okafor@lincoln.example.org", role=Role.OBSERVER, **kwargs) -> str:
    _, token = service.create_invitation(school, email, role, invited_by=None, **kwargs)
    database.session.commit()
    return token


def new_account(name="Grace Okafor", password=NEW_PASSWORD, confirm=None) -> dict:
    return {"name": name, "password": password, "confirm_password": password if confirm is None else confirm}


def membership_of(email: str):
    return database.session.execute(
        select(Membership.school_id, Membership.role).join(User).where(User.email == email)
    ).all()


def test_invitation_page_shows_the_school_and_role(client, school):
    text = visible_text(client.get(f"/invitations/{invite(school)}"))
    assert "Lincoln Middle School" in text
    assert "Observer" in text


def test_accepting_creates_the_account_with_the_role_in_that_school(db, client, school):
    token = invite(school, role=Role.VIEWER)
    response = submit(client, f"/invitations/{token}", new_account())
    assert response.status_code == 302 and response.headers["Location"] == f"/schools/{school.id}/dashboard"
    assert membership_of("okafor@lincoln.example.org") == [(school.id, Role.VIEWER)]
    assert client.get("/api/v1/auth/me").get_json()["name"] == "Grace Okafor"


@pytest.mark.parametrize(("role", "landing"), [(Role.PRINCIPAL, "/schools/{id}/dashboard"), (Role.OBSERVER, "/")])
def test_a_new_member_lands_where_the_role_works_in_the_school_just_joined(db, client, school, role, landing):
    other = factories.create_school("Roosevelt High")
    factories.create_user("principal", other, email="okafor@lincoln.example.org")
    sign_in_on_page(client, "okafor@lincoln.example.org")
    response = submit(client, f"/invitations/{invite(school, role=role)}", {})
    assert response.status_code == 302 and response.headers["Location"] == landing.format(id=school.id)


def test_the_new_account_can_sign_in_with_its_password(client, new_client, school):
    submit(client, f"/invitations/{invite(school)}", new_account())
    assert sign_in_on_page(new_client(), "okafor@lincoln.example.org", NEW_PASSWORD).status_code == 302


def test_used_invitation_is_gone(client, new_client, school):
    token = invite(school)
    submit(client, f"/invitations/{token}", new_account())
    again = new_client().get(f"/invitations/{token}")
    assert again.status_code == 410
    assert "already been used" in visible_text(again)


def test_expired_invitation_is_gone(client, school):
    response = client.get(f"/invitations/{invite(school, valid_for=timedelta(seconds=-1))}")
    assert response.status_code == 410
    assert "expired" in visible_text(response)


def test_posting_to_an_expired_invitation_creates_nothing(db, client, school):
    token = invite(school, valid_for=timedelta(seconds=-1))
    response = client.post(f"/invitations/{token}", data=new_account())
    assert response.status_code == 410
    assert membership_of("okafor@lincoln.example.org") == []


def test_unknown_invitation_is_not_found(client, school):
    response = client.get("/invitations/not-a-real-token")
    assert response.status_code == 404
    assert "not valid" in visible_text(response)


@pytest.mark.parametrize("account, message", [
    (new_account(password="password123"), "That password is too common or too easy to guess."),
    (new_account(confirm=NEW_PASSWORD + "!"), "The two passwords are not the same."),
    (new_account(name=""), "Enter your name as colleagues know it."),
    (new_account(name="Grace\x00"), "Control characters are not allowed."),
], ids=["common-password", "mismatch", "no-name", "nul-in-name"])
def test_bad_new_account_details_are_refused_and_the_link_still_works(db, client, school, account, message):
    token = invite(school)
    response = submit(client, f"/invitations/{token}", account)
    assert response.status_code == 422
    assert message in visible_text(response)
    assert membership_of("okafor@lincoln.example.org") == []
    assert client.get(f"/invitations/{token}").status_code == 200


def test_existing_account_must_sign_in_first(db, client, school, other_school):
    factories.create_user("principal", other_school, email="okafor@lincoln.example.org")
    token = invite(school)
    page = client.get(f"/invitations/{token}")
    assert "Sign in as okafor@lincoln.example.org" in visible_text(page)
    assert f"/login?next=/invitations/{token}" in page.get_data(as_text=True)
    refused = submit(client, f"/invitations/{token}", new_account(), token_from="/login")
    assert refused.status_code == 403
    assert (school.id, Role.OBSERVER) not in membership_of("okafor@lincoln.example.org")


def test_existing_account_signed_in_as_someone_else_cannot_accept(db, client, school, other_school, principal):
    factories.create_user("principal", other_school, email="okafor@lincoln.example.org")
    token = invite(school)
    sign_in_on_page(client, principal.email)
    assert submit(client, f"/invitations/{token}", {}, token_from="/login").status_code == 403
    assert (school.id, Role.OBSERVER) not in membership_of("okafor@lincoln.example.org")


def test_existing_account_signed_in_as_the_invitee_joins_the_school(db, client, school, other_school):
    factories.create_user("principal", other_school, email="okafor@lincoln.example.org")
    token = invite(school)
    sign_in_on_page(client, "okafor@lincoln.example.org", next_path=f"/invitations/{token}")
    response = submit(client, f"/invitations/{token}", {})
    assert response.status_code == 302
    assert sorted(membership_of("okafor@lincoln.example.org")) == sorted(
        [(other_school.id, Role.PRINCIPAL), (school.id, Role.OBSERVER)])


def test_accepting_an_invitation_never_lowers_a_role_already_held(client, db, school):
    from server.auth import service
    from server.auth.models import Membership

    principal = factories.create_user("principal", school, email="lead@example.org")
    _, token = service.create_invitation(school, "lead@example.org", Role.VIEWER, invited_by=None)
    db.session.commit()
    service.accept_invitation(token, name="", password="", signed_in=principal)
    db.session.commit()
    role = db.session.scalar(select(Membership.role).where(Membership.user_id == principal.id))
    assert role == Role.PRINCIPAL
