"""Sign-in attempts are limited per account (shared by page and API), so guessing stops at five."""
from tests import factories
from tests.auth.pages import PASSWORD, sign_in_on_page, submit, visible_text


def test_sixth_api_attempt_for_one_account_in_a_minute_is_refused_with_retry_after(client, principal):
    for _ in range(5):
        refused = client.post("/api/v1/auth/login", json={"email": principal.email, "password": "wrong guess"})
        assert refused.status_code == 401
    response = client.post("/api/v1/auth/login", json={"email": principal.email, "password": PASSWORD})
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0


def test_sixth_page_attempt_for_one_account_shows_a_friendly_page_with_retry_after(client, principal):
    for _ in range(5):
        assert sign_in_on_page(client, principal.email, "wrong guess").status_code == 401
    response = sign_in_on_page(client, principal.email)
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    assert int(response.headers["Retry-After"]) > 0
    assert "Wait a minute, then try again." in visible_text(response)


def test_page_and_api_attempts_count_against_the_same_account_limit(client, principal):
    for _ in range(3):
        client.post("/api/v1/auth/login", json={"email": principal.email, "password": "wrong guess"})
    for _ in range(2):
        sign_in_on_page(client, principal.email, "wrong guess")
    assert sign_in_on_page(client, principal.email).status_code == 429


def test_the_limit_ignores_case_and_spaces_in_the_email(client, principal):
    for variant in ["RIVERA@lincoln.example.org", " rivera@lincoln.example.org", "Rivera@Lincoln.Example.Org",
                    "rivera@LINCOLN.example.org ", "rivera@lincoln.example.org"]:
        client.post("/api/v1/auth/login", json={"email": variant, "password": "wrong guess"})
    assert client.post("/api/v1/auth/login", json={"email": principal.email, "password": PASSWORD}).status_code == 429


def test_another_account_from_the_same_address_still_signs_in(client, new_client, school, principal):
    for _ in range(6):
        client.post("/api/v1/auth/login", json={"email": principal.email, "password": "wrong guess"})
    colleague = factories.create_user("observer", school, email="chen@lincoln.example.org")
    api_response = new_client().post("/api/v1/auth/login", json={"email": colleague.email, "password": PASSWORD})
    assert api_response.status_code == 200
    page_response = sign_in_on_page(new_client(), colleague.email)
    assert page_response.status_code == 302


def test_showing_the_sign_in_page_is_not_counted(client, principal):
    for _ in range(8):
        assert client.get("/login").status_code == 200
    assert sign_in_on_page(client, principal.email).status_code == 302


def test_many_accounts_from_one_address_hit_the_per_address_limit(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_IP_RATE_LIMIT", "3 per minute")
    for number in range(3):
        submit(client, "/login", {"email": f"guess{number}@example.org", "password": "wrong guess"})
    response = submit(client, "/login", {"email": "guess9@example.org", "password": "wrong guess"})
    assert response.status_code == 429
