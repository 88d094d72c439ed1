"""`flask deliver`, `flask count`, `flask recount`: background work from the shell."""

import click

from app.services.counting import count_signatures, recount
from app.services.delivery import drain


@click.command("deliver")
def deliver() -> None:
    """Send everything due in the outbox once, then exit."""
    sent = drain()
    click.echo(f"deliveries processed: {sent}")


@click.command("count")
def count() -> None:
    """Fold newly confirmed or withdrawn signatures into the public counts."""
    click.echo(f"signatures counted: {count_signatures()}")


@click.command("recount")
def recount_command() -> None:
    """Rebuild every public count exactly from the signatures."""
    recount()
    click.echo("recount done")


COMMANDS = [deliver, count, recount_command]
