"""The session cookie is out of reach of scripts and other sites, and Secure with __Host- over HTTPS."""
from server import config as settings
from tests.auth.pages import PASSWORD


def session_set_cookie(app, response) -> str:
    name = app.config["SESSION_COOKIE_NAME"]
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert headers, "no session cookie set"
    return headers[-1]


def test_session_cookie_is_http_only_and_same_site_lax(app, client, principal):
    response = client.post("/api/v1/auth/login", json={"email": principal.email, "password": PASSWORD})
    header = session_set_cookie(app, response)
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_secure_cookie_setting_makes_the_cookie_secure_with_the_host_prefix(monkeypatch):
    monkeypatch.setenv("HALLPULSE_SECURE_COOKIES", "1")
    options = settings.from_environment()
    assert options["SESSION_COOKIE_SECURE"] is True
    assert options["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert options["REMEMBER_COOKIE_SECURE"] is True


def test_over_https_the_cookie_sent_is_secure_host_only_and_prefixed(app, client, principal, monkeypatch):
    monkeypatch.setenv("HALLPULSE_SECURE_COOKIES", "1")
    options = settings.from_environment()
    for key in ("SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE"):
        monkeypatch.setitem(app.config, key, options[key])
    token = client.get("/api/v1/auth/csrf", base_url="https://localhost").get_json()["csrf_token"]
    response = client.post(
        "/api/v1/auth/login", json={"email": principal.email, "password": PASSWORD}, csrf=False,
        base_url="https://localhost", headers={"Referer": "https://localhost/login", "X-CSRFToken": token},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    header = session_set_cookie(app, response)
    assert header.startswith("__Host-hallpulse_session=")
    assert "Secure" in header and "Path=/" in header and "Domain=" not in header
