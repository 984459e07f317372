"""Signing in by page and by API: one plain refusal, safe redirects, a fresh session each time."""
import pytest

from tests.auth.pages import PASSWORD, form_token, session_cookie, sign_in_on_page, submit, visible_text

REFUSAL = "That email and password do not match an active account."


@pytest.mark.parametrize("email, password", [
    ("rivera@lincoln.example.org", "not the password at all"),
    ("nobody@lincoln.example.org", PASSWORD),
], ids=["wrong-password", "unknown-email"])
def test_api_refuses_wrong_password_and_unknown_email_alike(client, principal, email, password):
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == REFUSAL


@pytest.mark.parametrize("email, password", [
    ("rivera@lincoln.example.org", "not the password at all"),
    ("nobody@lincoln.example.org", PASSWORD),
], ids=["wrong-password", "unknown-email"])
def test_page_refuses_wrong_password_and_unknown_email_alike(client, principal, email, password):
    response = sign_in_on_page(client, email, password)
    assert response.status_code == 401
    assert response.mimetype == "text/html"
    assert REFUSAL in visible_text(response)


def test_refused_page_keeps_the_email_but_not_the_password(client, principal):
    response = sign_in_on_page(client, principal.email, "a wrong guess 123")
    html = response.get_data(as_text=True)
    assert f'value="{principal.email}"' in html
    assert "a wrong guess 123" not in html


@pytest.mark.parametrize("data", [
    {"email": "rivera@lincoln.example.org\x00", "password": PASSWORD},
    {"email": "not-an-email", "password": PASSWORD},
    {"email": "rivera@lincoln.example.org"},
    {},
], ids=["nul-in-email", "malformed-email", "no-password", "empty-form"])
def test_page_refuses_malformed_sign_in_forms_plainly(client, principal, data):
    response = submit(client, "/login", data)
    assert response.status_code == 401
    assert REFUSAL in visible_text(response)
    assert session_cookie(client.application, client) is None or client.get("/api/v1/auth/me").status_code == 401


def test_page_sign_in_goes_to_the_school_dashboard_and_the_api_knows_the_user(client, principal, school):
    response = sign_in_on_page(client, principal.email)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/schools/{school.id}/dashboard"
    assert client.get("/api/v1/auth/me").get_json()["email"] == principal.email


@pytest.mark.parametrize("next_path, destination", [
    ("/account/password", "/account/password"),
    ("/admin/schools?tab=periods", "/admin/schools?tab=periods"),
    ("https://evil.example/phish", "{home}"),
    ("//evil.example/phish", "{home}"),
    ("/\\evil.example/phish", "{home}"),
    ("javascript:alert(1)", "{home}"),
    ("/%0d%0aSet-Cookie:x=1", "/%0d%0aSet-Cookie:x=1"),
    ("/\r\nLocation: https://evil.example", "{home}"),
    ("", "{home}"),
])
def test_sign_in_redirects_only_to_a_same_site_path(client, principal, school, next_path, destination):
    response = sign_in_on_page(client, principal.email, next_path=next_path)
    assert response.status_code == 302
    assert response.headers["Location"] == destination.format(home=f"/schools/{school.id}/dashboard")


def test_signed_out_visitor_of_an_account_page_is_sent_to_sign_in_and_back(client, principal):
    bounced = client.get("/account/password")
    assert bounced.status_code == 302
    assert bounced.headers["Location"].startswith("/login?next=")
    response = sign_in_on_page(client, principal.email, next_path="/account/password")
    assert response.headers["Location"] == "/account/password"


def test_page_sign_in_gives_a_new_session_cookie(app, client, principal):
    form_token(client, "/login")
    before = session_cookie(app, client)
    assert before
    sign_in_on_page(client, principal.email)
    assert session_cookie(app, client) not in (None, before)


def test_api_sign_in_gives_a_new_session_cookie(app, client, principal):
    client.refresh_csrf()
    before = session_cookie(app, client)
    assert before
    client.post("/api/v1/auth/login", json={"email": principal.email, "password": PASSWORD})
    assert session_cookie(app, client) not in (None, before)


def test_login_page_form_carries_the_csrf_field_and_labels(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="csrf_token"' in html
    assert '<meta name="csrf-token"' in html
    assert '<label for="email">' in html and '<label for="password">' in html


def test_signed_in_header_offers_the_app_the_account_page_and_sign_out(client, principal):
    sign_in_on_page(client, principal.email)
    text = visible_text(client.get("/account/password"))
    assert "Ana Rivera" in text
    assert "Open the app" in text and "Account" in text and "Sign out" in text
