"""`hallpulse purge`, `hallpulse erase-user` and `hallpulse delete-school`: retention and offboarding from a shell."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Erase notes older than each school's retention period (run it daily, e.g. from cron)."""
    from server.db import db
    from server.privacy.service import purge_notes

    erased = purge_notes()
    db.session.commit()
    if not erased:
        click.echo("No school has set a note retention period: nothing to erase.")
    for school_id, count in sorted(erased.items()):
        click.echo(f"School {school_id}: {count} note(s) erased.")


@click.command("erase-user")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Confirm: the person's identity cannot be restored.")
@with_appcontext
def erase_user_command(email: str, yes: bool) -> None:
    """Pseudonymise a person: their observations stay (observed by no one); name, email, roles, sessions and devices go."""
    from sqlalchemy import func, select

    from server.auth.models import User
    from server.db import db
    from server.privacy.service import erase_user

    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No account with the email {email!r}.")
    if not yes:
        raise click.ClickException(f"This erases {user.name}'s identity for good. Run again with --yes to confirm.")
    counts = erase_user(None, user)
    db.session.commit()
    click.echo(f"Erased account {user.id}: " + ", ".join(f"{name} {count}" for name, count in counts.items()))


@click.command("delete-school")
@click.argument("school_id", type=int)
@click.option("--yes", is_flag=True, help="Confirm: the school and all its records cannot be restored.")
@with_appcontext
def delete_school_command(school_id: int, yes: bool) -> None:
    """Delete a school and every record of it (export it first with the API or its audit page)."""
    from server.db import db
    from server.privacy.service import delete_school
    from server.schools.models import School

    school = db.session.get(School, school_id)
    if school is None:
        raise click.ClickException(f"No school with id {school_id}.")
    if not yes:
        raise click.ClickException(f"This deletes {school.name} and all its records for good. Run again with --yes.")
    name = school.name
    deletion = delete_school(None, school)
    db.session.commit()
    rows = sum(deletion.rows.values())
    click.echo(f"Deleted {name} (school {school_id}): {rows} rows, {deletion.staff_deleted} staff account(s).")
