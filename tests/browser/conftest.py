"""Browser fixtures: a real gunicorn server on a free 127.0.0.1 port with a FILE database (SQLite or
PostgreSQL), seeded in a child process, and headless Debian Chromium driven by Playwright.

The server runs in its own process group so a test can kill -9 it and start it again on the same
port. The database is read back with plain SQL, never through the app, so what a test asserts is
what the server really stored.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy

from tests.conftest import (
    EASED_HASHING,
    ENGINES,
    create_postgres_database,
    drop_postgres_database,
    postgres_available,
    skip_or_fail,
)
from tests.subprocesses import Server, app_env, free_port, run_python

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
PAGE_ENGINE = "postgresql"


def pages_on_one_engine(server_fixture: str):
    """Run a module's tests against one engine's server: for modules whose subject is a page (what it
    shows, at which size, to whom), not what reaches the database. The API each page calls is tested
    on both engines (tests/heatmaps, tests/brief, ...); the sync path's browser tests (outbox, conflicts,
    faults, one tap, co-listening) still run on both. PostgreSQL, production's engine, and the stricter
    about types and grouping. Running these pages twice was ~150 s of the suite's test time."""
    return pytest.mark.parametrize(server_fixture, [PAGE_ENGINE], indirect=True)


USERS = 120  # one fresh leader per test, for the whole session
PASSWORD = "correct horse battery staple"
SEED = f"""
import json
from server import create_app
from server.cli import upgrade_database
app = create_app({EASED_HASHING!r})
with app.app_context():
    upgrade_database()
    from pathlib import Path
    from server.push.keys import ensure_key_pair
    ensure_key_pair(Path(app.config["INSTANCE_DIR"]))
    from tests import factories
    school = factories.create_school(name="Lincoln Middle School", timezone="America/Chicago")
    users = [factories.create_user("principal", school, email=f"leader{{n}}@example.org", name=f"Dana Reyes {{n}}")
             for n in range({USERS})]
    viewer = factories.create_user("viewer", school, email="viewer@example.org", name="Val Viewer")
    places = {{location.name: location.id for location in school.locations}}
    print(json.dumps({{"school_id": school.id, "places": places, "users": [[u.id, u.email] for u in users], "viewer": [viewer.id, viewer.email]}}))
"""


class LiveServer:
    """gunicorn (1 worker unless told, 4 threads) serving the real app on one port, restartable on that port.
    It hashes passwords with the test profile the seeds use: with the production one, each leader's first
    sign-in rehashed (~175 ms)."""

    def __init__(self, engine: str, database_url: str, workdir: Path, workers: int = 1):
        self.engine = engine
        self.workers = workers
        self.database_url = database_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.env = app_env(
            workdir / "instance", HALLPULSE_ENV="testing", DATABASE_URL=database_url,
            SECRET_KEY="browser-tests-" + "k" * 40, HALLPULSE_LOGIN_RATE_LIMIT="1000 per minute",
            HALLPULSE_LOGIN_IP_RATE_LIMIT="1000 per minute",  # every test signs in from 127.0.0.1
        )
        self.server: Server | None = None
        self.seed: dict = {}
        self._users = iter(())
        self.engine_sql = sqlalchemy.create_engine(database_url, poolclass=sqlalchemy.pool.NullPool)

    def prepare(self) -> None:
        result = run_python(SEED, env=self.env)
        assert result.returncode == 0, result.stderr
        self.seed = json.loads(result.stdout.strip().splitlines()[-1])
        self._users = iter(self.seed["users"])

    def start(self, healthy: bool = True) -> None:
        """Start gunicorn and wait for its answer, which must be healthy unless told otherwise."""
        command = [
            str(Path(os.sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{self.port}",
            "-c", "python:server.gunicorn_conf", "--workers", str(self.workers), "--graceful-timeout", "2",
            f"server:create_app({EASED_HASHING!r})",  # the seeded hashes' profile: a first sign-in does not rehash
        ]
        self.server = Server(command, self.env, self.workdir)
        status, _headers, _body = self.server.get(f"{self.url}/healthz", deadline_seconds=30)
        assert status == 200 or not healthy, self.server.output()

    def kill(self) -> None:
        """kill -9 the whole gunicorn process group: no graceful shutdown, in-flight requests die."""
        if self.server and self.server.process.poll() is None:
            os.killpg(self.server.process.pid, signal.SIGKILL)
            self.server.process.wait(timeout=10)

    def stop(self) -> None:
        if self.server:
            self.server.__exit__(None, None, None)

    def next_user(self) -> dict:
        try:
            user_id, email = next(self._users)
        except StopIteration:
            raise RuntimeError(f"the browser suite used all {USERS} seeded leaders: raise USERS") from None
        return {"id": user_id, "email": email, "password": PASSWORD}

    def rows(self, sql: str, **params) -> list[dict]:
        with self.engine_sql.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(sqlalchemy.text(sql), params)]

    def execute(self, sql: str, **params) -> None:
        with self.engine_sql.begin() as connection:
            connection.execute(sqlalchemy.text(sql), params)


def database_for(engine: str, workdir: Path) -> tuple[str, str | None]:
    if engine == "sqlite":
        return f"sqlite:///{workdir / 'browser.db'}", None
    reason = postgres_available()
    if reason:
        skip_or_fail(reason)
    name = f"hallpulse_browser_{uuid.uuid4().hex[:8]}"
    return create_postgres_database(name), name


def serve(server_class: type[LiveServer], engine: str, tmp_path_factory, prefix: str):
    """A live server of `server_class` on a fresh database of `engine`, seeded, started, then torn down
    with its database: the body of every live-server fixture."""
    workdir = tmp_path_factory.mktemp(f"{prefix}-{engine}")
    url, pg_name = database_for(engine, workdir)
    server = server_class(engine, url, workdir)
    try:
        server.prepare()
        server.start()
        yield server
    finally:
        server.stop()
        server.engine_sql.dispose()
        if pg_name:
            drop_postgres_database(pg_name)


@pytest.fixture(scope="session", params=ENGINES)
def live_server(request, tmp_path_factory):
    yield from serve(LiveServer, request.param, tmp_path_factory, "live")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM) or shutil.which(CHROMIUM) is None:
        skip_or_fail(f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright (Python) is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture()
def new_context(browser, live_server):
    """Make fresh browser profiles (own IndexedDB, service worker, cookies) at phone size."""
    contexts = []

    def make(**options):
        settings = {"base_url": live_server.url, "viewport": {"width": 390, "height": 844},
                    "timezone_id": "America/Chicago", "locale": "en-US", "service_workers": "allow"}
        settings.update(options)
        context = browser.new_context(**settings)
        context.set_default_timeout(15000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture()
def user(live_server):
    return live_server.next_user()


@contextmanager
def deadline(seconds: float):
    """Yield a function that says whether time is left; loops use it to stay bounded."""
    end = time.monotonic() + seconds
    yield lambda: time.monotonic() < end


# The demo district's fixtures, registered here so every module shares one server per engine; imported
# last because that module builds on LiveServer and serve above.
from tests.browser.demo_district import demo, sessions, signed_in  # noqa: E402,F401
