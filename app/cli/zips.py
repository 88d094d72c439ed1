"""`flask zips import`: the ZIP-code-to-congressional-district table."""

import click

from app.cli.targets import EFFECTIVE, run_import
from app.services.targets.importers.zips import UPSTREAM_URL as ZIPS_URL
from app.services.targets.importers.zips import import_zips


@click.group("zips")
def zips() -> None:
    """ZIP code to congressional district data."""


@zips.command("import")
@click.argument("source", default=ZIPS_URL)
@click.option("--congress", type=int, help="The Congress the map is for (default: today's).")
@EFFECTIVE
def zips_import(source: str, congress: int | None, effective) -> None:
    """Replace one Congress's ZIP-to-district map from zccd.csv (a path or URL)."""
    start = effective.date() if effective else None
    run_import("ZIP districts", lambda: import_zips(source, congress, start))


COMMANDS = [zips]
