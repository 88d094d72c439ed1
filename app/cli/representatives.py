"""`flask reps link TARGET_ID`: a private link to a representative's letters."""

import click

from app.extensions import db
from app.models import Target
from app.services.representatives import DEFAULT_DAYS, create_access
from app.urls import external_url


@click.command("link")
@click.argument("target_id", type=int)
@click.option("--days", type=click.IntRange(min=1), default=DEFAULT_DAYS, show_default=True)
def link(target_id: int, days: int) -> None:
    """Create a private link for a representative's office and print it (shown only once)."""
    target = db.session.get(Target, target_id)
    if target is None:
        raise click.ClickException(f"no target with id {target_id}")
    token = create_access(target, days=days)
    click.echo(f"Private link for {target.name} (valid {days} days):")
    click.echo(external_url("representatives.index", token=token))


# Subcommands of the `flask reps` group (app/cli/reps.py).
REPS_COMMANDS = [link]
