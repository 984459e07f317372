"""The demo district served live (two schools, a semester, every role), loaded once per engine for the
whole browser run: the leadership pages' tests only read it (each module loading its own was ~10 s a
load, ten loads a run). `tests/browser/conftest.py` imports these fixtures, so every module shares them."""
from __future__ import annotations

import json

import pytest

from tests.browser.conftest import LiveServer, serve
from tests.conftest import EASED_HASHING, ENGINES

LAPTOP = (1366, 768)

DEMO_PASSWORD = "hallway-pulse-demo"
DEMO = """
import json
from server import create_app
from server.cli import upgrade_database
app = create_app(%r)
with app.app_context():
    upgrade_database()
    from server.db import db
    from server.demo import load_demo
    from server.schools.models import School
    load_demo()
    schools = {s.name: s.id for s in db.session.scalars(db.select(School))}
    district_id = db.session.scalar(db.select(School.district_id))
    from server.observations.models import Observation
    first_days = {name: db.session.scalar(db.select(db.func.min(Observation.local_date))
                                          .where(Observation.school_id == school_id)).isoformat()
                  for name, school_id in schools.items()}
    print(json.dumps({"schools": schools, "district_id": district_id, "first_days": first_days}))
""" % (EASED_HASHING,)


class DemoServer(LiveServer):
    """The live server with the demo district (two schools, a semester, every role) instead of one school."""

    def prepare(self) -> None:
        from tests.subprocesses import run_python

        result = run_python(DEMO, env=self.env)
        assert result.returncode == 0, result.stderr
        self.seed = json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session", params=ENGINES)
def demo(request, tmp_path_factory):
    yield from serve(DemoServer, request.param, tmp_path_factory, "demo")


@pytest.fixture(scope="session")
def sessions(demo):
    """Each demo account's cookies after its first sign-in, so later tests open a signed-in page at once.
    One set per demo server: both engines' servers are on 127.0.0.1, so a cookie kept from one would be
    sent to the other, which knows no such session (under pytest-xdist a worker may meet them in any order)."""
    return {}


@pytest.fixture()
def signed_in(browser, demo, sessions):
    """A page signed in as a demo account at a viewport size. `fresh` signs in on the sign-in page
    itself (then the page is where that account landed); otherwise an earlier sign-in is reused."""
    contexts = []

    def sign_in(email: str, size=LAPTOP, path: str = "/login", fresh: bool = True):
        state = None if fresh else sessions.get(email)
        context = browser.new_context(base_url=demo.url, viewport={"width": size[0], "height": size[1]},
                                      timezone_id="America/Chicago", locale="en-US", service_workers="block",
                                      storage_state=state)
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        if state is None:
            page.goto(path)
            page.fill("#email", email)
            page.fill("#password", DEMO_PASSWORD)
            page.locator("main form").get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
            sessions[email] = context.storage_state()
        return page

    yield sign_in
    for context in contexts:
        context.close()
