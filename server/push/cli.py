"""`hallpulse reminders run` (the Procfile's worker) and `hallpulse reminders send-due` (one pass, for cron)."""
from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from server.push.dispatcher import POOL_SIZE, Dispatcher
from server.push.keys import VapidKeyError


def open_dispatcher(pool_size: int) -> Dispatcher:
    try:
        return Dispatcher.from_config(current_app.config, pool_size=pool_size)
    except VapidKeyError as error:
        raise click.ClickException(str(error)) from None


@click.group("reminders")
def reminders_group() -> None:
    """Send follow-up reminders as Web Push messages (any number of dispatchers may run at once)."""


@reminders_group.command("send-due")
@click.option("--pool-size", default=POOL_SIZE, show_default=True, type=click.IntRange(1, 256),
              help="Sends in flight at once.")
@with_appcontext
def send_due_command(pool_size: int) -> None:
    """One pass: send every reminder that is due now, then exit."""
    with open_dispatcher(pool_size) as dispatcher:
        click.echo(dispatcher.run_pass().describe())


@reminders_group.command("run")
@click.option("--interval", default=15.0, show_default=True, type=click.FloatRange(0.05, 3600),
              help="Seconds between passes.")
@click.option("--pool-size", default=POOL_SIZE, show_default=True, type=click.IntRange(1, 256))
@click.option("--max-passes", type=click.IntRange(1), default=None, help="Stop after this many passes.")
@with_appcontext
def run_command(interval: float, pool_size: int, max_passes: int | None) -> None:
    """Keep sending due reminders until stopped (SIGTERM or Ctrl+C ends it after the pass in progress)."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: stop.set())
    with open_dispatcher(pool_size) as dispatcher:
        click.echo(f"Reminder dispatcher {dispatcher.worker} started: a pass every {interval:g} s.")
        passes = dispatcher.run_forever(interval, stop, max_passes=max_passes,
                                        report=lambda summary: summary.claimed and click.echo(summary.describe()))
    click.echo(f"Reminder dispatcher stopped after {passes} pass{'' if passes == 1 else 'es'}.")
