"""`flask deliver [--watch]`, `flask outbox status|retry`: the outbox from the shell."""

from __future__ import annotations

import re
import signal
import threading
from datetime import datetime, timedelta

import click
from flask import current_app

from app.clock import utcnow
from app.services.delivery import outbox
from app.services.delivery.sending import Round, send_all_due
from app.worker import mail_round

_RELATIVE = re.compile(r"^(\d+)\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def _summary(result: Round) -> str:
    return (
        f"claimed {result.claimed}: sent {result.sent}, retrying {result.retrying}, "
        f"failed {result.failed}, not sent (cancelled or suppressed) {result.skipped}"
        + (" (paused after a temporary error)" if result.stopped else "")
    )


@click.command("deliver")
@click.option("--watch", is_flag=True, help="Keep running: a worker without Celery.")
def deliver(watch: bool) -> None:
    """Send everything due in the outbox once (or keep doing so with --watch)."""
    if not watch:
        click.echo(_summary(send_all_due()))
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        # Finish the message in flight, record it, then exit.
        signal.signal(signum, lambda *_: stop.set())
    interval = current_app.config["WORKER_POLL_SECONDS"]
    click.echo(f"delivering every {interval}s; Ctrl-C to stop")
    while not stop.is_set():
        result = mail_round()
        if result.claimed:
            click.echo(_summary(result))
        stop.wait(interval)


@click.group("outbox")
def outbox_group() -> None:
    """Inspect and repair the outbox."""


@outbox_group.command("status")
def outbox_status() -> None:
    """Counts by state and kind, then by channel, and the oldest delivery waiting to be sent."""
    report = outbox.status()
    if not report.counts:
        click.echo("the outbox is empty")
    kinds = sorted({kind for _, kind in report.counts})
    statuses = sorted({status for status, _ in report.counts})
    width = max([len("status"), *map(len, statuses)])
    click.echo(f"{'status':<{width}}  " + "  ".join(f"{kind:>12}" for kind in kinds))
    for status in statuses:
        cells = "  ".join(f"{report.counts.get((status, kind), 0):>12}" for kind in kinds)
        click.echo(f"{status:<{width}}  {cells}")
    click.echo("by channel:")
    for (channel, status), count in sorted(report.by_channel.items()):
        click.echo(f"  {channel:<8}  {status:<{width}}  {count:>12}")
    if report.oldest_due_at is None:
        click.echo("due now: 0")
    else:
        waited = utcnow() - report.oldest_due_at
        click.echo(
            f"due now: {report.due}; oldest due since {report.oldest_due_at:%Y-%m-%d %H:%M:%S} "
            f"UTC ({int(waited.total_seconds())}s ago)"
        )


def _parse_since(value: str | None) -> datetime | None:
    if value is None:
        return None
    relative = _RELATIVE.match(value.strip())
    if relative:
        amount, unit = relative.groups()
        return utcnow() - timedelta(**{_UNITS[unit]: int(amount)})
    try:
        return datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter("use an ISO date/time (UTC) or e.g. 30m, 6h, 2d") from error


@outbox_group.command("retry")
@click.option("--failed", is_flag=True, required=True, help="Queue failed deliveries again.")
@click.option("--since", help="Only those that failed since: ISO date/time (UTC), or 30m, 6h, 2d.")
def outbox_retry(failed: bool, since: str | None) -> None:
    """Queue failed deliveries again, e.g. after fixing the mail settings."""
    count = outbox.retry_failed(_parse_since(since))
    click.echo(f"queued again: {count}")


COMMANDS = [deliver, outbox_group]
