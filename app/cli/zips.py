"""`flask zips import`: the ZIP-code-to-congressional-district table."""

import click

from app.cli.targets import run_import
from app.services.targets.importers.zips import UPSTREAM_URL as ZIPS_URL
from app.services.targets.importers.zips import import_zips


@click.group("zips")
def zips() -> None:
    """ZIP code to congressional district data."""


@zips.command("import")
@click.argument("source", default=ZIPS_URL)
def zips_import(source: str) -> None:
    """Replace the ZIP-to-district table from zccd.csv (a path or URL)."""
    run_import("ZIP districts", lambda: import_zips(source))


COMMANDS = [zips]
