"""`flask zips import`, `flask reps import congress|openstates`: load public representative data."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from app.extensions import db
from app.services.importers import ImportSummary, MalformedData
from app.services.importers.congress import UPSTREAM_URL as CONGRESS_URL
from app.services.importers.congress import import_congress
from app.services.importers.openstates import UPSTREAM_URL as OPENSTATES_URL
from app.services.importers.openstates import import_openstates
from app.services.importers.zips import UPSTREAM_URL as ZIPS_URL
from app.services.importers.zips import import_zips


def _run(label: str, load: Callable[[], ImportSummary]) -> None:
    """Run one import in one transaction: all of it lands, or (on any error) none of it."""
    try:
        summary = load()
    except MalformedData as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message}\nnothing was imported") from error
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    click.echo(f"{label}: {summary}")


@click.group("zips")
def zips() -> None:
    """ZIP code to congressional district data."""


@zips.command("import")
@click.argument("source", default=ZIPS_URL)
def zips_import(source: str) -> None:
    """Replace the ZIP-to-district table from zccd.csv (a path or URL)."""
    _run("ZIP districts", lambda: import_zips(source))


@click.group("reps")
def reps() -> None:
    """Representatives: members of Congress, state legislators, governors."""


@reps.group("import")
def reps_import() -> None:
    """Import representatives from public data (idempotent; safe to run on every start)."""


@reps_import.command("congress")
@click.argument("source", default=CONGRESS_URL)
@click.option(
    "--offices",
    metavar="PATH_OR_URL",
    help="legislators-district-offices.yaml or .csv: each member's district offices.",
)
def import_congress_command(source: str, offices: str | None) -> None:
    """Members of Congress from legislators-current.yaml or .csv (a path or URL)."""
    _run("members of Congress", lambda: import_congress(source, offices))


@reps_import.command("openstates")
@click.argument("source", default=OPENSTATES_URL)
def import_openstates_command(source: str) -> None:
    """State legislators and governors from an openstates/people checkout, archive or URL."""

    def track(files: list[Path]):
        return click.progressbar(files, label="reading person files", file=sys.stderr)

    _run("state legislators and governors", lambda: import_openstates(source, track))


COMMANDS = [zips, reps]
