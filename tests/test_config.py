"""Production refuses unsafe settings; a complete production set-up gets secure cookies and HSTS."""
from __future__ import annotations

import json
import os
import stat

import pytest

from server import create_app
from server.config import ConfigError
from tests.conftest import skip_or_fail
from tests.subprocesses import APP_VARIABLES, app_env, port_open, run_python

STRONG_SECRET = "s3cr3t-" + "x" * 40
REDIS_URL = "redis://127.0.0.1:6379"
SAFE_PRODUCTION = {
    "HALLPULSE_ENV": "production",
    "SECRET_KEY": STRONG_SECRET,
    "RATELIMIT_STORAGE_URI": REDIS_URL,
}


@pytest.fixture()
def environment(monkeypatch, tmp_path):
    """A clean process environment for create_app(): no app settings but an empty instance folder."""
    for name in list(os.environ):
        if name.startswith(APP_VARIABLES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HALLPULSE_INSTANCE", str(tmp_path))

    def set_variables(**variables: str) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return set_variables


@pytest.mark.parametrize(
    ("unsafe", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY"),
        ({"HALLPULSE_SECURE_COOKIES": "0"}, "HTTPS cookies"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
        ({"FLASK_DEBUG": "1"}, "debug"),
    ],
    ids=["no-secret-key", "short-secret-key", "insecure-cookies", "memory-rate-limits", "debug-mode"],
)
def test_production_refuses_to_start_with_an_unsafe_setting(environment, unsafe, message):
    environment(**{**SAFE_PRODUCTION, **unsafe})

    with pytest.raises(ConfigError, match=message):
        create_app()


def test_production_refuses_to_start_without_a_rate_limit_store(environment):
    environment(HALLPULSE_ENV="production", SECRET_KEY=STRONG_SECRET)

    with pytest.raises(ConfigError, match="RATELIMIT_STORAGE_URI"):
        create_app()


def test_an_unknown_environment_is_refused(environment):
    environment(HALLPULSE_ENV="prod")

    with pytest.raises(ConfigError, match="HALLPULSE_ENV must be one of"):
        create_app()


SHOW_SECRET = "from server import create_app; print(create_app().config['SECRET_KEY'])"


def test_the_generated_secret_is_kept_private_and_reused_by_the_next_start(tmp_path):
    env = app_env(tmp_path, HALLPULSE_ENV="development")

    first, second = run_python(SHOW_SECRET, env), run_python(SHOW_SECRET, env)

    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == second.stdout.strip() == (tmp_path / "secret_key").read_text().strip()
    assert len(first.stdout.strip()) >= 32
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


SIGN_IN_OVER_HTTPS = """
import json, uuid
from server import create_app
from server.auth import service
from server.cli import upgrade_database
from server.db import db

app = create_app()
with app.app_context():
    upgrade_database()
    email = f"principal-{uuid.uuid4().hex[:8]}@example.org"
    service.create_user(email, "Pat Principal", "correct horse battery staple")
    db.session.commit()
client = app.test_client()
origin = "https://pulse.example.org"
token = client.get("/api/v1/auth/csrf", base_url=origin).get_json()["csrf_token"]
response = client.post("/api/v1/auth/login", base_url=origin, json={"email": email, "password": "correct horse battery staple"},
                       headers={"X-CSRFToken": token, "Referer": origin + "/"})
print(json.dumps({"status": response.status_code, "cookies": response.headers.getlist("Set-Cookie"),
                  "hsts": response.headers.get("Strict-Transport-Security"), "config": {
                      "session": app.config["SESSION_COOKIE_NAME"], "remember": app.config["REMEMBER_COOKIE_NAME"],
                      "remember_secure": app.config["REMEMBER_COOKIE_SECURE"], "debug": app.debug}}))
"""


@pytest.fixture(scope="module")
def production_sign_in(tmp_path_factory):
    """Sign in over HTTPS to an app started with a complete production configuration (in a child process)."""
    tmp_path = tmp_path_factory.mktemp("production")
    if not port_open(6379):
        skip_or_fail(f"Redis at {REDIS_URL} is not reachable (production rate limits live there)")
    env = app_env(tmp_path, **SAFE_PRODUCTION, DATABASE_URL=f"sqlite:///{tmp_path / 'production.db'}")
    result = run_python(SIGN_IN_OVER_HTTPS, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_complete_production_config_starts_and_signs_in(production_sign_in):
    assert production_sign_in["status"] == 200
    assert production_sign_in["config"]["debug"] is False


def test_production_cookies_are_secure_host_only_and_http_only(production_sign_in):
    cookies = production_sign_in["cookies"]
    assert cookies, "signing in sets the session cookie"
    for cookie in cookies:
        name, *attributes = [part.strip() for part in cookie.split(";")]
        flags = {attribute.split("=")[0].lower(): attribute.partition("=")[2] for attribute in attributes}
        assert name.startswith("__Host-"), cookie
        assert {"secure", "httponly"} <= flags.keys(), cookie
        assert flags.get("samesite") == "Lax" and flags.get("path") == "/" and "domain" not in flags, cookie
    config = production_sign_in["config"]
    assert config["session"].startswith("__Host-") and config["remember"].startswith("__Host-")
    assert config["remember_secure"] is True


def test_production_responses_carry_hsts_for_a_year(production_sign_in):
    hsts = production_sign_in["hsts"]
    assert hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000
