"""Every sign-in and account write needs the CSRF token: a forged form does nothing."""
import pytest

from server.auth import service
from server.enums import Role
from tests.auth.pages import NEW_PASSWORD, PASSWORD, sign_in_on_page


@pytest.mark.parametrize("path, body", [
    ("/api/v1/auth/login", {"email": "rivera@lincoln.example.org", "password": PASSWORD}),
    ("/api/v1/auth/logout", {}),
])
def test_api_writes_without_the_token_are_a_400_problem(client, principal, path, body):
    response = client.post(path, json=body, csrf=False)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_page_sign_in_without_the_token_is_a_400_page(client, principal):
    response = client.post("/login", data={"email": principal.email, "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert client.get("/api/v1/auth/me").status_code == 401


@pytest.mark.parametrize("path, data", [
    ("/logout", {}),
    ("/account/sign-out-everywhere", {}),
    ("/account/password",
     {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}),
])
def test_account_forms_without_the_token_are_a_400_page_and_change_nothing(client, new_client, principal, path, data):
    sign_in_on_page(client, principal.email)
    response = client.post(path, data=data, csrf=False, headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert client.get("/api/v1/auth/me").status_code == 200
    assert sign_in_on_page(new_client(), principal.email, PASSWORD).status_code == 302


def test_invitation_form_without_the_token_is_a_400_page(db, client, school):
    _, token = service.create_invitation(school, "okafor@lincoln.example.org", Role.OBSERVER, invited_by=None)
    db.session.commit()
    response = client.post(f"/invitations/{token}", csrf=False, data={
        "name": "Grace Okafor", "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 400
    assert client.get(f"/invitations/{token}").status_code == 200


def test_a_token_from_another_browser_is_refused(client, new_client, principal):
    stranger = new_client()
    foreign_token = stranger.refresh_csrf()
    response = client.post("/login", data={"email": principal.email, "password": PASSWORD, "csrf_token": foreign_token},
                           csrf=False)
    assert response.status_code == 400
