"""Signing out ends the session on the server: a copied cookie is worthless afterwards."""
from sqlalchemy import func, select

from server.auth import service
from server.auth.models import AuthSession
from tests.auth.pages import PASSWORD, session_cookie, sign_in_on_page, submit, visible_text


def replay(app, new_client, cookie_value: str):
    """A different browser presenting a captured session cookie."""
    thief = new_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie_value)
    return thief.get("/api/v1/auth/me")


def sessions_of(db, user) -> int:
    return db.session.scalar(select(func.count()).select_from(AuthSession).where(AuthSession.user_id == user.id))


def test_page_sign_out_makes_a_captured_cookie_worthless(app, db, client, new_client, principal):
    sign_in_on_page(client, principal.email)
    captured = session_cookie(app, client)
    assert replay(app, new_client, captured).status_code == 200
    response = submit(client, "/logout", {}, token_from="/account/password")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert replay(app, new_client, captured).status_code == 401
    assert sessions_of(db, principal) == 0


def test_api_sign_out_makes_a_captured_cookie_worthless(app, login_as, new_client):
    client, _ = login_as("principal")
    captured = session_cookie(app, client)
    assert client.post("/api/v1/auth/logout", json={}).status_code == 204
    assert replay(app, new_client, captured).status_code == 401


def test_sign_out_page_says_you_are_signed_out(client, principal):
    sign_in_on_page(client, principal.email)
    response = submit(client, "/logout", {}, token_from="/account/password", follow_redirects=True)
    assert "You are signed out." in visible_text(response)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_get_on_logout_does_not_sign_out(client, principal):
    sign_in_on_page(client, principal.email)
    assert client.get("/logout").status_code == 405
    assert client.get("/api/v1/auth/me").status_code == 200


def test_sign_out_everywhere_ends_every_session_of_the_account(app, db, client, new_client, principal):
    phone = new_client()
    phone.post("/api/v1/auth/login", json={"email": principal.email, "password": PASSWORD})
    sign_in_on_page(client, principal.email)
    response = submit(client, "/account/sign-out-everywhere", {}, token_from="/account/password", follow_redirects=True)
    assert "You are signed out on every device." in visible_text(response)
    assert phone.get("/api/v1/auth/me").status_code == 401
    assert client.get("/api/v1/auth/me").status_code == 401
    assert sessions_of(db, principal) == 0


def test_sign_out_everywhere_leaves_other_accounts_signed_in(login_as, client, principal):
    colleague_client, _ = login_as("observer")
    sign_in_on_page(client, principal.email)
    submit(client, "/account/sign-out-everywhere", {}, token_from="/account/password")
    assert colleague_client.get("/api/v1/auth/me").status_code == 200


def test_deactivated_user_is_signed_out_at_once(db, login_as):
    client, user = login_as("observer")
    service.deactivate(user)
    db.session.commit()
    assert client.get("/api/v1/auth/me").status_code == 401


def test_deactivated_user_cannot_sign_in_again(db, client, principal):
    principal.active = False
    db.session.commit()
    assert sign_in_on_page(client, principal.email).status_code == 401


def test_signing_in_again_ends_the_earlier_session_of_this_browser(app, db, client, new_client, principal):
    sign_in_on_page(client, principal.email)
    earlier = session_cookie(app, client)
    sign_in_on_page(client, principal.email)
    assert replay(app, new_client, earlier).status_code == 401
    assert sessions_of(db, principal) == 1
