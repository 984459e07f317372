"""Fixtures: the app and database parametrised over SQLite and PostgreSQL, clients, sign-in helpers.

PostgreSQL tests skip with a reason when the server is down, except in CI (CI=true), where a
skipped PostgreSQL test is a failure.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from tests import factories

pytest_plugins = ["tests.ci_plugin"]  # in CI, PostgreSQL/Redis/Chromium skips are failures
PG_ADMIN_URL = os.environ.get("HALLPULSE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ENGINES = ["sqlite", "postgresql"]
KEPT_TABLES = {"alembic_version"}
EASED_HASHING = {"ARGON2_TIME_COST": 2, "ARGON2_MEMORY_KIB": 19456}  # the ASVS minimum (t=2, m=19 MiB): quick, compliant
TEST_SETTINGS = {
    "HALLPULSE_ENV": "testing",
    "TESTING": True,
    **EASED_HASHING,
    "RATELIMIT_STORAGE_URI": "memory://",
    "LOGIN_RATE_LIMIT": "5 per minute",
}


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: the behaviour is specific to SQLite")


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL at {PG_ADMIN_URL} is not reachable: {error}"


def skip_or_fail(reason: str):
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def create_postgres_database(name: str) -> str:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)


def drop_postgres_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("instance")
    os.environ["HALLPULSE_INSTANCE"] = str(path)
    return path


def database_url_for(engine: str, sqlite_folder: Path) -> tuple[str, str | None]:
    """A fresh, empty database for one engine (SQLite's file in `sqlite_folder`): (SQLAlchemy URL,
    PostgreSQL database name to drop, or None)."""
    if engine == "sqlite":
        return f"sqlite:///{sqlite_folder / 'test.db'}", None
    reason = postgres_available()
    if reason:
        skip_or_fail(reason)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"hallpulse_test_{worker}_{uuid.uuid4().hex[:6]}"
    return create_postgres_database(name), name


@pytest.fixture(scope="session", params=ENGINES)
def app(request, tmp_path_factory, instance_dir):
    """One app per engine for the whole session, migrated with the real migrations."""
    from server import create_app
    from server.cli import upgrade_database

    url, pg_name = database_url_for(request.param, tmp_path_factory.mktemp('sqlite'))
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(instance_dir)})
    app.config["ENGINE_NAME"] = request.param
    with app.app_context():
        upgrade_database()
    yield app
    with app.app_context():
        from server.db import db

        db.engine.dispose()
    if pg_name:
        drop_postgres_database(pg_name)


@pytest.fixture()
def db(app):
    """A clean database for each test (built-in rubrics kept), inside an app context."""
    from server.db import db as database
    from server.extensions import limiter

    with app.app_context():
        clean_database(database)
        limiter.reset()
        yield database
        database.session.remove()


def clean_database(database) -> None:
    tables = [t for t in reversed(database.metadata.sorted_tables) if t.name not in KEPT_TABLES]
    with database.engine.begin() as connection:
        for table in tables:
            if table.name == "rubric":
                connection.execute(text("DELETE FROM rubric WHERE district_id IS NOT NULL"))
            elif table.name == "trait":
                connection.execute(text(
                    "DELETE FROM trait WHERE rubric_id IN (SELECT id FROM rubric WHERE district_id IS NOT NULL)"))
            else:
                connection.execute(table.delete())


def forget_request_globals() -> None:
    """The `db` fixture keeps one app context pushed, so requests would share `g` (Flask-Login's
    cached user, the CSRF token); in production each request has its own, so each starts clean."""
    if has_app_context():
        for name in list(g):
            g.pop(name)


class ApiClient(FlaskClient):
    """A test client that sends the CSRF token on writes, as the app's scripts do."""

    csrf_token: str | None = None

    def run_wsgi_app(self, environ, buffered=False):
        forget_request_globals()
        return super().run_wsgi_app(environ, buffered)

    def open(self, *args, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        send_csrf = kwargs.pop("csrf", True)
        if send_csrf and method in {"POST", "PUT", "PATCH", "DELETE"}:
            if self.csrf_token is None:
                self.refresh_csrf()
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token)
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def refresh_csrf(self) -> str:
        response = super().open("/api/v1/auth/csrf", method="GET")
        self.csrf_token = response.get_json()["csrf_token"]
        return self.csrf_token


@pytest.fixture()
def client(app, db):
    app.test_client_class = ApiClient
    return app.test_client()


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


@pytest.fixture()
def school(db):
    """A school in its own district, with a bell schedule and a few places."""
    return factories.create_school(name="Lincoln Middle School")


@pytest.fixture()
def other_school(db):
    """A school in another district, whose data must never show."""
    return factories.create_school(name="Riverside High School", district=factories.create_district("Far District"))


@pytest.fixture()
def login_as(app, db, school):
    """Sign a fresh client in with a role (in `school` unless another is given): returns (client, user)."""

    def sign_in(role: str = "principal", target_school=None, email: str | None = None):
        target = target_school or school
        user = factories.create_user(role=role, school=target, email=email)
        app.test_client_class = ApiClient
        test_client = app.test_client()
        response = test_client.post(
            "/api/v1/auth/login", json={"email": user.email, "password": factories.PASSWORD}
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        test_client.refresh_csrf()
        return test_client, user

    return sign_in
