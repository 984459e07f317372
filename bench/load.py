"""Load: 50 phones syncing batches and 5 dashboard users against gunicorn (4 workers) for 60 s.

    /work/venv/bin/python bench/load.py [--engine postgresql|sqlite] [--duration 60]

A fresh database (a new PostgreSQL database, dropped at the end, or an SQLite file) is migrated and
seeded in a child process: the demo district with its semester (`hallpulse demo`), three more
schools, ten observers per school and, for the dashboards, a district admin and four principals;
the rollup is rebuilt as `hallpulse demo` does. gunicorn serves it on 127.0.0.1 (4 workers with the
Procfile's settings, rate limits shared in Redis; sign-in limits and password hashing are eased, since
55 sign-ins in one second from one address is the bench, not a school).
Locust, driven as a library, runs the users. A phone signs in, bootstraps, then sends its outbox:
a batch of 5-20 new observations (a walk with them one time in three), sent again unchanged after
any answer but 200, as the app's outbox does; every such answer counts as a failure. A dashboard
user cycles through the dashboard pages and JSON heatmaps of its schools (and its district).
At the end no phone starts a new batch, and the users stop once every batch in flight is answered.
Then the database is read with plain SQL: every acknowledged record must be there, and no record
stored twice, under an id never sent, or without its trait levels. Exits 1 on any failed request,
loss or duplicate, or on a 5xx or error in gunicorn's output. Figures are Locust's (client side).
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

import gevent
import sqlalchemy
from locust import HttpUser, between, task
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sync_ingest import fresh_database
from server import gunicorn_conf
from tests.conftest import EASED_HASHING
from tests.subprocesses import Server, app_env, free_port, run_python

SCHOOLS, PHONES, DASHBOARDS = 5, 50, 5
WORKERS = 4
PASSWORD = "correct horse battery staple"  # tests.factories' password
REQUEST_TIMEOUT = 30
SEED = f"""
import json
from server import create_app
from server.cli import upgrade_database
app = create_app({EASED_HASHING!r})
with app.app_context():
    upgrade_database()
    from server.db import db
    from server.demo import load_demo
    from server.heatmaps import rollup
    from server.schools.models import District, School
    from tests import factories
    load_demo()
    district = db.session.scalar(db.select(District))
    schools = list(db.session.scalars(db.select(School).order_by(School.id)))
    schools += [factories.create_school(name=f"Bench School {{n}}", district=district)
                for n in range(len(schools), {SCHOOLS})]
    rollup.rebuild()
    db.session.commit()
    phones = [factories.create_user("observer", schools[n % {SCHOOLS}], email=f"phone{{n}}@bench.example")
              for n in range({PHONES})]
    dashboards = [factories.create_user("district_admin", schools[0], email="district@bench.example")]
    dashboards += [factories.create_user("principal", schools[n], email=f"principal{{n}}@bench.example")
                   for n in range(1, {DASHBOARDS})]
    print(json.dumps({{"phones": [[u.id, u.email] for u in phones], "dashboards": [u.email for u in dashboards]}}))
"""
SCHOOL_PAGES = ("/schools/{}/dashboard", "/schools/{}/dashboard/frequency", "/schools/{}/dashboard/quality",
                "/schools/{}/dashboard/trends", "/api/v1/heatmaps/schools/{}/frequency",
                "/api/v1/heatmaps/schools/{}/quality", "/api/v1/heatmaps/schools/{}/trends")
DISTRICT_PAGES = ("/district/{}", "/api/v1/heatmaps/districts/{}/quality", "/api/v1/heatmaps/districts/{}/frequency")


class Ledger:
    """What the phones sent and what the server acknowledged, by record type; whether they may still send."""

    def __init__(self):
        self.sent = {"walk": set(), "observation": set()}
        self.acknowledged = {"walk": set(), "observation": set()}
        self.resent_batches = 0
        self.trait_count = 0
        self.in_flight = 0
        self.closing = False


def sign_in(client, email: str) -> dict:
    """Sign in as the app does; later requests carry the new session's CSRF token. Returns /auth/me."""
    token = client.get("/api/v1/auth/csrf", timeout=REQUEST_TIMEOUT).json()["csrf_token"]
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD},
                           headers={"X-CSRFToken": token}, timeout=REQUEST_TIMEOUT)
    if response.status_code != 200:
        raise RuntimeError(f"sign-in as {email}: {response.status_code} {response.text[:200]}")
    client.headers["X-CSRFToken"] = client.get("/api/v1/auth/csrf", timeout=REQUEST_TIMEOUT).json()["csrf_token"]
    return response.json()


class Phone(HttpUser):
    """A leader's phone: signs in once, then drains its outbox one batch at a time."""

    fixed_count = PHONES
    wait_time = between(0.5, 2)
    accounts: ClassVar[list[str]] = []
    ledger: ClassVar[Ledger] = Ledger()

    def on_start(self):
        sign_in(self.client, self.accounts.pop())
        school = self.client.get("/api/v1/bootstrap", timeout=REQUEST_TIMEOUT).json()["schools"][0]
        self.school_id, self.zone = school["id"], ZoneInfo(school["timezone"])
        self.location_ids = [place["id"] for place in school["locations"]]
        rubric = next(rubric for rubric in school["rubrics"] if rubric["is_default"])
        self.rubric_id, self.trait_keys = rubric["id"], [trait["key"] for trait in rubric["traits"]]
        self.ledger.trait_count = len(self.trait_keys)
        self.outbox: list[dict] = []

    def new_records(self) -> list[dict]:
        """What a leader logs between two syncs: 5-20 conversations of the last 40 minutes, maybe on a walk;
        one time in four a phone that was offline catches up on a day of the past week."""
        now = datetime.now(self.zone) - timedelta(days=random.randrange(1, 8) if random.random() < 1 / 4 else 0)
        walk = None
        if random.random() < 1 / 3:
            walk = {"type": "walk", "id": str(uuid.uuid4()), "version": 1,
                    "started_at": (now - timedelta(minutes=40)).isoformat(), "ended_at": now.isoformat()}
        observations = [{
            "type": "observation", "id": str(uuid.uuid4()), "version": 1, "walk_id": walk and walk["id"],
            "rubric_id": self.rubric_id, "location_id": random.choice(self.location_ids),
            "observed_at": (now - timedelta(seconds=random.randrange(1, 2400))).isoformat(),
            "setting": None, "conversation_kind": random.choice(("hallway_chat", "lounge", "plc", "data_team")),
            "participant_count": random.randint(2, 6), "participant_roles": ["teacher"], "team": "Grade 7",
            "note": None, "needs_follow_up": False,
            "trait_levels": {key: random.randint(0, 2) for key in self.trait_keys},
        } for _ in range(random.randint(5, 20))]
        return ([walk] if walk else []) + observations

    @task
    def sync(self):
        if self.ledger.closing:
            return
        if self.outbox:
            self.ledger.resent_batches += 1
        else:
            self.outbox = self.new_records()
        for record in self.outbox:
            self.ledger.sent[record["type"]].add(record["id"])
        self.ledger.in_flight += 1
        try:
            self.send_outbox()
        finally:
            self.ledger.in_flight -= 1

    def send_outbox(self):
        with self.client.post("/api/v1/sync", json={"school_id": self.school_id, "records": self.outbox},
                              timeout=REQUEST_TIMEOUT, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.error or response.text[:200]}")
                return  # the outbox keeps the batch and sends it again
            results = response.json()["results"]
            for result in results:
                if result["status"] in ("stored", "unchanged"):
                    self.ledger.acknowledged[result["type"]].add(result["id"])
            refused = [result for result in results if result["status"] not in ("stored", "unchanged")]
            if refused:
                response.failure(f"{len(refused)} records refused, first: {json.dumps(refused[0])[:200]}")
            self.outbox = []


class Dashboard(HttpUser):
    """A principal or the district admin reading the heatmaps, page after page."""

    fixed_count = DASHBOARDS
    wait_time = between(1, 3)
    accounts: ClassVar[list[str]] = []

    def on_start(self):
        me = sign_in(self.client, self.accounts.pop())
        districts = {school["district_id"] for school in me["schools"] if school["role"] == "district_admin"}
        pages = [template.format(district) for district in districts for template in DISTRICT_PAGES]
        pages += [template.format(school["school_id"]) for school in me["schools"] for template in SCHOOL_PAGES]
        self.pages = itertools.cycle(pages)  # the district admin starts where the district view does

    @task
    def look(self):
        path = next(self.pages)
        name = "/".join("[id]" if part.isdigit() else part for part in path.split("/"))
        self.client.get(path, name=name, timeout=REQUEST_TIMEOUT)


def stop_after(runner, duration: int) -> None:
    """After `duration` seconds no phone starts a batch; once those in flight are answered, every user stops.

    (Locust alone can kill a user that wakes from its wait just as the stop comes, mid-request.)
    """
    gevent.sleep(duration)
    Phone.ledger.closing = True
    deadline = time.monotonic() + REQUEST_TIMEOUT
    while Phone.ledger.in_flight and time.monotonic() < deadline:
        gevent.sleep(0.05)
    runner.quit()


def run_users(url: str, phones: list[str], dashboards: list[str], duration: int) -> tuple[Environment, float, float]:
    """Start every user at once, stop them after `duration` seconds (each finishes the request it is in).

    Returns the stats, the seconds taken and the CPU seconds Locust spent (on a small machine it competes).
    """
    Phone.accounts, Dashboard.accounts = list(phones), list(dashboards)
    environment = Environment(user_classes=[Phone, Dashboard], host=url, stop_timeout=REQUEST_TIMEOUT)
    runner = environment.create_local_runner()
    started, cpu_started = time.monotonic(), time.process_time()
    runner.start(PHONES + DASHBOARDS, spawn_rate=PHONES + DASHBOARDS)
    gevent.spawn(stop_after, runner, duration)
    runner.greenlet.join(timeout=duration + 2 * REQUEST_TIMEOUT)
    return environment, time.monotonic() - started, time.process_time() - cpu_started


def stored_records(database_url: str, observer_ids: list[int]) -> dict:
    """Ids stored for the phones' users, by type (a list: a repeat would show), and observations lacking levels."""
    engine = sqlalchemy.create_engine(database_url, poolclass=sqlalchemy.pool.NullPool)
    observers = sqlalchemy.bindparam("observers", expanding=True)
    try:
        with engine.connect() as connection:
            stored = {table: [str(uuid.UUID(str(row_id))) for (row_id,) in connection.execute(
                sqlalchemy.text(f"SELECT id FROM {table} WHERE observer_id IN :observers").bindparams(observers),
                {"observers": observer_ids})] for table in ("walk", "observation")}
            stored["incomplete"] = connection.execute(sqlalchemy.text(
                "SELECT count(*) FROM (SELECT o.id FROM observation o LEFT JOIN observation_trait_level l"
                " ON l.observation_id = o.id WHERE o.observer_id IN :observers GROUP BY o.id"
                " HAVING count(l.trait_id) <> :traits) AS short").bindparams(observers),
                {"observers": observer_ids, "traits": Phone.ledger.trait_count}).scalar_one()
    finally:
        engine.dispose()
    return stored


def print_stats(environment: Environment, seconds: float) -> int:
    """The per-request table; returns the number of failed requests."""
    print(f"{'request':<52}{'requests':>9}{'failures':>9}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}  (ms)")
    entries = sorted(environment.stats.entries.values(), key=lambda entry: (entry.name, entry.method))
    for label, entry in [(f"{e.method} {e.name}", e) for e in entries] + [("total", environment.stats.total)]:
        percentiles = [entry.get_response_time_percentile(p) for p in (0.5, 0.95, 0.99)]
        print(f"{label:<52}{entry.num_requests:>9,}{entry.num_failures:>9,}{entry.num_requests / seconds:>8.1f}"
              + "".join(f"{value:>7.0f}" for value in percentiles))
    for error in environment.stats.errors.values():
        print(f"failure: {error.method} {error.name}: {error.error} × {error.occurrences}")
    for exception in environment.runner.exceptions.values():
        print(f"exception in a user × {exception['count']}: {exception['msg']}\n{exception['traceback']}")
    return environment.stats.total.num_failures + len(environment.runner.exceptions)


def print_records(stored: dict) -> int:
    """Sent, acknowledged and stored records by type; returns how many were lost, duplicated or incomplete."""
    ledger, problems = Phone.ledger, stored["incomplete"]
    for kind in ("observation", "walk"):
        rows, ids = stored[kind], set(stored[kind])
        lost = len(ledger.acknowledged[kind] - ids)
        duplicated = len(rows) - len(ids & ledger.sent[kind])  # a second row, or a row under an id never sent
        problems += lost + duplicated
        print(f"{kind + 's:':<14}sent {len(ledger.sent[kind]):>6,}  acknowledged {len(ledger.acknowledged[kind]):>6,}"
              f"  stored {len(rows):>6,}  lost: {lost}  duplicated: {duplicated}")
    print(f"observations without all {ledger.trait_count} trait levels: {stored['incomplete']}")
    print(f"batches sent again after a failure: {ledger.resent_batches}")
    return problems


def server_complaints(server: Server) -> list[str]:
    """gunicorn's output apart from routine lines: errors, tracebacks, and request-log lines with a 5xx."""
    complaints = []
    for line in server.output().splitlines():
        try:
            status = json.loads(line).get("status", 0) if line.startswith("{") else None
        except json.JSONDecodeError:
            status = None
        if (status is None and "[INFO]" not in line) or (status or 0) >= 500:
            complaints.append(line)
    return complaints


def seed(env: dict) -> dict:
    """Migrate and seed in a child process; returns the phones' [id, email] and the dashboard users' emails."""
    seeded = run_python(SEED, env=env, timeout=300)
    if seeded.returncode != 0:
        sys.exit(f"seeding failed:\n{seeded.stderr}")
    return json.loads(seeded.stdout.strip().splitlines()[-1])


def gunicorn_command(port: int) -> list[str]:
    return [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
            "-c", "python:server.gunicorn_conf", "--workers", str(WORKERS), "--graceful-timeout", "5",
            f"server:create_app({EASED_HASHING!r})"]  # as the Procfile


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (1-300)")
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= 300:
        parser.error("--duration must be between 1 and 300 seconds")
    workdir = Path(tempfile.mkdtemp(prefix="hallpulse-load-"))
    database_url, drop = fresh_database(args.engine)
    try:
        env = app_env(workdir / "instance", HALLPULSE_ENV="testing", DATABASE_URL=database_url,
                      SECRET_KEY="load-bench-" + "k" * 40, HALLPULSE_LOGIN_RATE_LIMIT="1000 per minute",
                      HALLPULSE_LOGIN_IP_RATE_LIMIT="1000 per minute",  # 55 sign-ins from 127.0.0.1 at once
                      RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379")
        accounts = seed(env)
        port = free_port()
        with Server(gunicorn_command(port), env, workdir) as server:
            status, _headers, _body = server.get(f"http://127.0.0.1:{port}/healthz", deadline_seconds=60)
            if status != 200:
                sys.exit(f"the server is not healthy ({status}):\n{server.output()}")
            phones = [email for _user_id, email in accounts["phones"]]
            environment, seconds, client_cpu = run_users(f"http://127.0.0.1:{port}", phones, accounts["dashboards"],
                                                         args.duration)
            server.stop()
            complaints = server_complaints(server)
        stored = stored_records(database_url, [user_id for user_id, _email in accounts["phones"]])
    finally:
        drop()
    print(f"engine: {args.engine}  gunicorn {WORKERS} workers × {gunicorn_conf.threads} threads  users: {PHONES} phones + "
          f"{DASHBOARDS} dashboards  load: {seconds:.1f} s  (Locust's CPU: {client_cpu:.1f} s)")
    failures = print_stats(environment, seconds)
    print(f"errors: {failures}")
    problems = print_records(stored)
    print(f"server complaints: {len(complaints)}  (gunicorn's output: {workdir})")
    for line in complaints[:40]:
        print(f"  {line}")
    sys.exit(1 if failures or problems or complaints else 0)


if __name__ == "__main__":
    main()
