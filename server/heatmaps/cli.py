"""`hallpulse heatmaps …`: maintenance of the pre-aggregated heatmap tables."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

heatmaps_cli = AppGroup("heatmaps", help="Heatmap pre-aggregation: rebuild it from the raw observations and walks.")


@heatmaps_cli.command("rebuild")
@click.option("--school-id", type=int, help="Only this school (default: every school).")
def rebuild_command(school_id: int | None) -> None:
    """Recompute the heatmap tables from scratch (after an upgrade, a bulk import or a schedule change)."""
    from server.db import db
    from server.heatmaps import rollup
    from server.schools.models import School

    if school_id is not None and db.session.get(School, school_id) is None:
        raise click.UsageError(f"No school with id {school_id}.")
    started = time.perf_counter()
    count = rollup.rebuild(school_id)
    db.session.commit()
    click.echo(f"Rebuilt the heatmap tables of {count} school{'s' if count != 1 else ''} "
               f"in {time.perf_counter() - started:.1f} s.")
