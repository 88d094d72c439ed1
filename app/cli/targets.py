"""`flask targets import|link|revoke`: representatives' data, and their offices' private links."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from app.extensions import db
from app.models import Target
from app.services.targets.access import DEFAULT_DAYS, MAX_DAYS, create_access, revoke_access
from app.services.targets.importers import ImportSummary, MalformedData
from app.services.targets.importers.congress import UPSTREAM_URL as CONGRESS_URL
from app.services.targets.importers.congress import import_congress
from app.services.targets.importers.openstates import UPSTREAM_URL as OPENSTATES_URL
from app.services.targets.importers.openstates import import_openstates
from app.services.unit_of_work import unit_of_work
from app.urls import external_url

# When a dataset takes effect, if not the day its Congress is sworn in.
EFFECTIVE = click.option(
    "--effective", type=click.DateTime(["%Y-%m-%d"]), help="First day it applies (YYYY-MM-DD)."
)


def run_import(label: str, load: Callable[[], ImportSummary]) -> None:
    """Run one import in one transaction: all of it lands, or (on any error) none of it."""
    try:
        with unit_of_work():
            summary = load()
    except MalformedData as error:
        raise click.ClickException(f"{error.message}\nnothing was imported") from error
    click.echo(f"{label}: {summary}")


@click.group("targets")
def targets() -> None:
    """Targets: members of Congress, state legislators, governors, decision-makers."""


@targets.group("import")
def targets_import() -> None:
    """Import representatives from public data (idempotent; safe to run on every start)."""


@targets_import.command("congress")
@click.argument("source", default=CONGRESS_URL)
@click.option(
    "--offices",
    metavar="PATH_OR_URL",
    help="legislators-district-offices.yaml or .csv: each member's district offices.",
)
@click.option("--congress", type=int, help="The Congress they serve in (default: today's).")
@EFFECTIVE
def import_congress_command(source: str, offices: str | None, congress: int | None, effective):
    """Members of one Congress from legislators-current.yaml or .csv (a path or URL)."""
    start = effective.date() if effective else None
    run_import("members of Congress", lambda: import_congress(source, offices, congress, start))


@targets_import.command("openstates")
@click.argument("source", default=OPENSTATES_URL)
def import_openstates_command(source: str) -> None:
    """State legislators and governors from an openstates/people checkout, archive or URL."""

    def track(files: list[Path]):
        return click.progressbar(files, label="reading person files", file=sys.stderr)

    run_import("state legislators and governors", lambda: import_openstates(source, track))


@targets.command("link")
@click.argument("target_id", type=int)
@click.option("--days", type=click.IntRange(1, MAX_DAYS), default=DEFAULT_DAYS, show_default=True)
def link(target_id: int, days: int) -> None:
    """Create a private link for a representative's office and print it (shown only once)."""
    target = _target(target_id)
    token = create_access(target, days=days)
    click.echo(f"Private link for {target.name} (valid {days} days):")
    click.echo(external_url("targets.index", token=token))


@targets.command("revoke")
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


COMMANDS = [targets]
