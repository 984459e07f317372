"""`hallpulse heatmaps …`: maintenance of the pre-aggregated heatmap tables."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

heatmaps_cli = AppGroup("heatmaps", help="Heatmap pre-aggregation: rebuild it from the raw observations and walks.")


@heatmaps_cli.command("rebuild")
@click.option("--school-id", type=int, help="Only this school (default: every school).")
@click.option("--from-school-id", type=int,
              help="Resume an interrupted rebuild: this school and those after it, in id order.")
def rebuild_command(school_id: int | None, from_school_id: int | None) -> None:
    """Recompute the heatmap tables from scratch (after an upgrade, a bulk import or a schedule change).

    Each school is its own transaction, committed as soon as it is rebuilt, so an interrupted
    district rebuild keeps the schools it finished and resumes with --from-school-id.
    """
    from sqlalchemy import select

    from server.db import db
    from server.heatmaps import rollup
    from server.schools.models import School

    if school_id is not None and db.session.get(School, school_id) is None:
        raise click.UsageError(f"No school with id {school_id}.")
    query = select(School.id).order_by(School.id)
    if school_id is not None:
        query = query.where(School.id == school_id)
    if from_school_id is not None:
        query = query.where(School.id >= from_school_id)
    school_ids = list(db.session.scalars(query))
    started = time.perf_counter()
    for number, one in enumerate(school_ids, 1):
        rollup.rebuild(one)
        db.session.commit()
        click.echo(f"School {one} rebuilt ({number} of {len(school_ids)}, {time.perf_counter() - started:.1f} s).")
    click.echo(f"Rebuilt the heatmap tables of {len(school_ids)} school{'s' if len(school_ids) != 1 else ''} "
               f"in {time.perf_counter() - started:.1f} s.")
