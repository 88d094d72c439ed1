"""`flask count`, `flask recount`: the public signature counts from the shell."""

import click

from app.services.signing.counting import count_signatures, recount


@click.command("count")
def count() -> None:
    """Fold newly confirmed or withdrawn signatures into the public counts."""
    click.echo(f"signatures counted: {count_signatures()}")


@click.command("recount")
def recount_command() -> None:
    """Rebuild every public count exactly from the signatures."""
    recount()
    click.echo("recount done")


COMMANDS = [count, recount_command]
