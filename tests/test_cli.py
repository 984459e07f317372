"""The `hallpulse` command: its commands, a fresh instance, accounts, gunicorn, and the Procfile."""
from __future__ import annotations

import json
import re
import shlex
import stat

from sqlalchemy import create_engine, select, text

from server.auth.models import Membership, User
from server.enums import Role
from server.schools.models import District, School
from tests import factories
from tests.subprocesses import REPO, Server, app_env, free_port, hallpulse_command, run_hallpulse


def test_help_lists_the_commands(tmp_path):
    result = run_hallpulse("--help", env=app_env(tmp_path))

    assert result.returncode == 0, result.stderr
    listed = set(re.findall(r"^  ([a-z][a-z-]*)\s", result.stdout, flags=re.MULTILINE))
    assert {"init", "demo", "serve", "create-school", "create-user", "db"} <= listed


def test_init_creates_the_database_secret_and_vapid_key(tmp_path):
    instance = tmp_path / "instance"

    result = run_hallpulse("init", env=app_env(instance))

    assert result.returncode == 0, result.stderr
    secret, vapid = instance / "secret_key", instance / "vapid_private.pem"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert len(secret.read_text().strip()) >= 32
    assert stat.S_IMODE(vapid.stat().st_mode) == 0o600
    assert "PRIVATE KEY" in vapid.read_text()
    engine = create_engine(f"sqlite:///{instance / 'hallpulse.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM rubric WHERE is_default")).scalar() == 1
    engine.dispose()


def test_init_again_keeps_the_secret_and_the_vapid_key(tmp_path):
    env = app_env(tmp_path)
    assert run_hallpulse("init", env=env).returncode == 0
    secret, vapid = (tmp_path / "secret_key").read_text(), (tmp_path / "vapid_private.pem").read_text()

    again = run_hallpulse("init", env=env)

    assert again.returncode == 0, again.stderr
    assert (tmp_path / "secret_key").read_text() == secret
    assert (tmp_path / "vapid_private.pem").read_text() == vapid


def test_create_school_adds_the_school_to_a_new_district(runner, db):
    result = runner.invoke(args=["create-school", "--district", "Maple Valley", "--name", "Lincoln Middle School",
                                 "--timezone", "America/Chicago"])

    assert result.exit_code == 0, result.output
    school = db.session.scalar(select(School).where(School.name == "Lincoln Middle School"))
    assert school.timezone == "America/Chicago"
    assert db.session.get(District, school.district_id).name == "Maple Valley"
    assert f"Created school {school.id}" in result.output


def test_create_school_reuses_a_district_of_the_same_name(runner, db, school):
    district_name = db.session.get(District, school.district_id).name

    result = runner.invoke(args=["create-school", "--district", district_name, "--name", "Second School",
                                 "--timezone", "America/Denver"])

    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(School.district_id).where(School.name == "Second School")) == school.district_id


def test_create_school_refuses_an_unknown_time_zone(runner, db):
    result = runner.invoke(args=["create-school", "--district", "D", "--name", "S", "--timezone", "Mars/Olympus"])

    assert result.exit_code == 2
    assert "time zone" in result.output
    assert db.session.scalar(select(School).where(School.name == "S")) is None


def test_create_user_gives_a_role_in_the_school_and_the_account_signs_in(runner, client, db, school):
    result = runner.invoke(args=[
        "create-user", "--email", "coach@example.org", "--name", "Jo Coach", "--role", "observer",
        "--school-id", str(school.id), "--password", factories.PASSWORD,
    ])

    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "coach@example.org"))
    membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert (membership.school_id, membership.role) == (school.id, Role.OBSERVER)
    login = client.post("/api/v1/auth/login", json={"email": "coach@example.org", "password": factories.PASSWORD})
    assert login.status_code == 200


def test_create_user_refuses_a_school_that_does_not_exist(runner, db):
    result = runner.invoke(args=[
        "create-user", "--email", "nobody@example.org", "--name", "No Body", "--role", "principal",
        "--school-id", "999999", "--password", factories.PASSWORD,
    ])

    assert result.exit_code == 2
    assert db.session.scalar(select(User).where(User.email == "nobody@example.org")) is None


def test_serve_runs_gunicorn_that_answers_healthz_and_stops_on_sigterm(tmp_path):
    port = free_port()
    env = app_env(tmp_path)

    with Server([*hallpulse_command(), "serve", "--port", str(port), "--workers", "1"], env, tmp_path) as server:
        status, headers, body = server.get(f"http://127.0.0.1:{port}/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok"})
        assert headers["Server"].startswith("gunicorn")
        assert "Booting worker" in server.output()
        assert f"http://127.0.0.1:{port}/" in server.output()
        assert server.stop() == 0


def test_procfile_release_migrates_and_web_serves(tmp_path):
    processes = dict(line.split(": ", 1) for line in (REPO / "Procfile").read_text().splitlines() if line.strip())
    assert {"web", "release"} <= set(processes)
    port = free_port()
    env = app_env(tmp_path, PORT=str(port), WEB_CONCURRENCY="1")

    release = run_hallpulse(*shlex.split(processes["release"])[1:], env=env)
    assert release.returncode == 0, release.stderr

    web = processes["web"].replace("--bind 0.0.0.0:", "--bind 127.0.0.1:")  # the test stays on loopback
    with Server([web], env, tmp_path, shell=True) as server:
        status, _headers, body = server.get(f"http://127.0.0.1:{port}/healthz")
        assert (status, json.loads(body)["database"]) == (200, "ok")
        assert server.stop() == 0


def test_readme_holds_one_test_command_for_ci():
    readme = (REPO / "README.md").read_text()
    block = re.search(r"<!-- test-command -->\n```sh\n(.*?)```\n<!-- /test-command -->", readme, flags=re.DOTALL)

    assert block, "README.md must keep the test command between <!-- test-command --> markers (.ci/run reads it)"
    command = block.group(1).strip()
    assert "\n" not in command
    assert command.startswith("python3 -m venv .venv && ") and "-m pytest" in command
    assert "README.md" in (REPO / ".ci" / "run").read_text()
