"""`hallpulse backup` / `hallpulse restore` for the embedded SQLite database.

The copy uses SQLite's online backup API in one step, so it is a consistent snapshot even while the
app writes (WAL readers do not block writers). PostgreSQL is backed up with its own tools
(`pg_dump -Fc`, `pg_restore`): see docs/deployment.md.
"""
from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

POSTGRES_ADVICE = ("The database is PostgreSQL: back it up with `pg_dump -Fc -f hallpulse.dump \"$DATABASE_URL\"` "
                   "and restore with `pg_restore --clean --if-exists --no-owner -d \"$DATABASE_URL\" hallpulse.dump` "
                   "(see docs/deployment.md, Backups).")
REQUIRED_TABLES = {"alembic_version", "school", "user", "observation", "audit_event"}


class BackupError(click.ClickException):
    """A backup or restore that cannot be done; the message says why and what to do."""


def live_database_path() -> Path:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if not url.drivername.startswith("sqlite"):
        raise BackupError(POSTGRES_ADVICE)
    if not url.database or url.database == ":memory:":
        raise BackupError("The database is in memory: there is nothing on disk to back up.")
    return Path(url.database)


def copy_database(source: Path, target: Path) -> None:
    """Copy `source` into `target` with the backup API, in one step (one consistent read transaction)."""
    with closing(sqlite3.connect(source, timeout=30)) as reader, closing(sqlite3.connect(target, timeout=30)) as writer:
        reader.backup(writer)


def make_self_contained(path: Path) -> None:
    """A backup file stands alone: rollback-journal mode, so no -wal file has to travel with it."""
    with closing(sqlite3.connect(path)) as backup:
        backup.execute("PRAGMA journal_mode=DELETE")


def known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    directory = current_app.extensions["migrate"].directory

    config = Config()
    config.set_main_option("script_location", directory)
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def check_backup(path: Path) -> str:
    """The backup's migration revision, once it is shown to be an intact Hallway Pulse database."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    try:
        with closing(sqlite3.connect(path)) as backup:
            if backup.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (SQLite's integrity check failed).")
            tables = {row[0] for row in backup.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not REQUIRED_TABLES <= tables:
                raise BackupError(f"{path} is not a Hallway Pulse database.")
            revision = backup.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable SQLite database ({error}).") from error
    if revision is None or revision[0] not in known_revisions():
        raise BackupError(f"{path} is at an unknown schema revision ({revision[0] if revision else 'none'}): "
                          "restore it with the version of Hallway Pulse that made it.")
    return revision[0]


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Copy the live SQLite database to PATH, consistently, while the app keeps running."""
    source = live_database_path()
    if path.exists() and not force:
        raise BackupError(f"{path} exists: choose a new name or pass --force.")
    if path.resolve() == source.resolve():
        raise BackupError("PATH is the live database itself.")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        copy_database(source, partial)
        make_self_contained(partial)
        revision = check_backup(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"Backed up {source} to {path} (schema revision {revision}, {path.stat().st_size} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm: every record in the live database is replaced.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the live SQLite database with a backup (checked first), then migrate it to this version."""
    from server.cli import upgrade_database
    from server.db import db

    target = live_database_path()
    revision = check_backup(path)
    if not yes:
        raise BackupError(f"This replaces every record in {target} with {path}. Run again with --yes to confirm.")
    db.session.remove()
    db.engine.dispose()
    target.parent.mkdir(parents=True, exist_ok=True)
    copy_database(path, target)  # through SQLite itself: WAL and other connections see the new pages
    upgrade_database()
    click.echo(f"Restored {path} (schema revision {revision}) into {target}.")
