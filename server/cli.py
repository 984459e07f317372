"""The `hallpulse` command: init, demo, serve, create-user, db (migrations) and more."""
from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

DEFAULT_PORT = 8000


def _create_app(*_args, **_kwargs) -> Flask:
    from server import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
def main() -> None:
    """Hallway Pulse: evidence of productive professional conversations in schools."""


def register(app: Flask) -> None:
    """Commands are attached to the app too, so `flask --app server` sees the same set."""
    from server.backup import backup_command, restore_command
    from server.heatmaps.cli import heatmaps_cli
    from server.privacy.cli import delete_school_command, erase_user_command, purge_command
    from server.push.cli import reminders_group

    for command in (init_command, demo_command, serve_command, create_school_command, create_user_command, heatmaps_cli,
                    reminders_group, backup_command, restore_command, purge_command, erase_user_command,
                    delete_school_command):
        app.cli.add_command(command)


def upgrade_database() -> None:
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory)


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create the database (migrated to the latest schema), the secret key and a VAPID key pair."""
    from server.push.keys import ensure_key_pair

    instance = Path(current_app.config["INSTANCE_DIR"])
    upgrade_database()
    made = ensure_key_pair(instance)
    click.echo(f"Database ready: {current_app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")
    click.echo(f"Instance folder: {instance} (secret key{' and new VAPID key pair' if made else ''})")


@click.command("demo")
@click.option("--seed", default=2026, show_default=True, help="Random seed for the demo semester.")
@click.option("--reset", is_flag=True, help="Replace demo data that is already loaded.")
@with_appcontext
def demo_command(seed: int, reset: bool) -> None:
    """Load a demo district: two schools, every role, and a seeded semester of walks and observations."""
    from server.demo import DEMO_PASSWORD, load_demo
    from server.push.keys import ensure_key_pair

    upgrade_database()
    ensure_key_pair(Path(current_app.config["INSTANCE_DIR"]))
    summary = load_demo(seed=seed, reset=reset)
    from server.db import db
    from server.heatmaps import rollup  # heatmaps: the demo bulk-inserts rows, so rebuild their rollup

    rollup.rebuild()
    db.session.commit()
    click.echo(summary.describe())
    click.echo("\nDemo sign-ins (password for all: %s):" % DEMO_PASSWORD)
    for email, role, school in summary.logins:
        click.echo(f"  {role:<15} {email:<34} {school}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int, workers: int) -> None:
    """Run the app with gunicorn (a production WSGI server) on the configured database."""
    from server.serving import run_gunicorn

    upgrade_database()
    click.echo(f"Hallway Pulse is running at http://{host}:{port}/  (Ctrl+C stops it)")
    from server.demo import demo_login_hint

    hint = demo_login_hint()
    if hint:
        click.echo(hint)
    run_gunicorn(host, port, workers)


@click.command("create-school")
@click.option("--district", "district_name", required=True, help="The district's name; created if it is new.")
@click.option("--name", required=True)
@click.option("--timezone", "zone", required=True, help="The school's IANA time zone, e.g. America/Chicago.")
@with_appcontext
def create_school_command(district_name: str, name: str, zone: str) -> None:
    """Add a school (and its district if new): how a fresh installation gets its first school."""
    from zoneinfo import available_timezones

    from server.db import db
    from server.schools.models import District
    from server.schools.service import create_school

    district_name, name = district_name.strip(), name.strip()
    if not (0 < len(district_name) <= 120 and 0 < len(name) <= 120):
        raise click.UsageError("--district and --name need 1 to 120 characters")
    if zone not in available_timezones():
        raise click.UsageError(f"{zone!r} is not an IANA time zone (e.g. America/Chicago)")
    district = db.session.scalar(db.select(District).where(District.name == district_name).limit(1))
    if district is None:
        district = District(name=district_name)
        db.session.add(district)
        db.session.flush()
    school = create_school(None, district.id, name, zone)
    db.session.commit()
    click.echo(f"Created school {school.id} ({school.name}) in district {district.id} ({district.name}), with a default "
               "bell schedule: its principal is asked to check it on the school's page.")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["district_admin", "principal", "observer", "viewer"]), required=True)
@click.option("--school-id", type=int, help="For school roles.")
@click.option("--district-id", type=int, help="For district admins.")
@click.password_option()
@with_appcontext
def create_user_command(email, name, role, school_id, district_id, password) -> None:
    """Create an account with a role in a school (or a district, for district admins)."""
    from server.auth import service
    from server.db import db
    from server.enums import Role
    from server.schools.models import School

    school = db.session.get(School, school_id) if school_id else None
    if role != "district_admin" and school is None:
        raise click.UsageError("--school-id must name an existing school for this role")
    try:
        user = service.create_user(email, name, password)
        service.grant_role(user, Role(role), school=school, district_id=district_id)
    except service.AuthError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email} as {role}.")


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("HALLPULSE_ENV", "development")
    main()
