"""`flask reps link|revoke TARGET_ID`: private links to a representative's letters."""

import click

from app.extensions import db
from app.models import Target
from app.services.representatives import DEFAULT_DAYS, MAX_DAYS, create_access, revoke_access
from app.urls import external_url


@click.command("link")
@click.argument("target_id", type=int)
@click.option("--days", type=click.IntRange(1, MAX_DAYS), default=DEFAULT_DAYS, show_default=True)
def link(target_id: int, days: int) -> None:
    """Create a private link for a representative's office and print it (shown only once)."""
    target = _target(target_id)
    token = create_access(target, days=days)
    click.echo(f"Private link for {target.name} (valid {days} days):")
    click.echo(external_url("representatives.index", token=token))


@click.command("revoke")
@click.argument("target_id", type=int)
def revoke(target_id: int) -> None:
    """End every private link of a representative's office now (a link was shared too
    widely, or staff left)."""
    target = _target(target_id)
    click.echo(f"Revoked {revoke_access(target)} live link(s) for {target.name}.")


def _target(target_id: int) -> Target:
    target = db.session.get(Target, target_id)
    if target is None:
        raise click.ClickException(f"no target with id {target_id}")
    return target


# Subcommands of the `flask reps` group (app/cli/reps.py).
REPS_COMMANDS = [link, revoke]
