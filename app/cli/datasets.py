"""`flask datasets status|remap`: the reference data in force, and tallies under another map."""

from __future__ import annotations

import click
import sqlalchemy as sa

from app.extensions import db
from app.models import Campaign, Dataset, DatasetKind
from app.services.targets.datasets import ordinal, reference_status
from app.services.workspace.remapping import UNDECIDED, remap_tallies


@click.group("datasets")
def datasets() -> None:
    """Reference data (ZIP maps, members of Congress, state legislators) and its periods."""


@datasets.command("status")
def status() -> None:
    """Each dataset's period and age, and what is missing or ended."""
    report = reference_status()
    for state in report.datasets:
        dataset = state.dataset
        until = dataset.effective_until.isoformat() if dataset.effective_until else "-"
        mark = "in force" if state.in_force else "ended" if state.ended else "not in force"
        click.echo(
            f"#{dataset.id} {state.name}: {dataset.effective_from} to {until}, "
            f"{mark}; {dataset.rows} rows from {dataset.source} (file of {dataset.version}), "
            f"imported {state.age_days} days ago"
        )
    if not report.datasets:
        click.echo("No reference data imported.")
    for warning in report.warnings:
        click.echo(f"WARNING: {warning}")


@datasets.command("remap")
@click.argument("slug")
@click.option("--congress", type=int, required=True, help="The Congress whose ZIP map to use.")
def remap(slug: str, congress: int) -> None:
    """A campaign's confirmed signatures by district, as counted and under another map."""
    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.slug == slug))
    if campaign is None:
        raise click.ClickException(f"no campaign {slug!r}")
    zip_map = db.session.scalar(
        sa.select(Dataset)
        .where(Dataset.kind == DatasetKind.ZIPS, Dataset.congress == congress)
        .order_by(Dataset.effective_from.desc())
        .limit(1)
    )
    if zip_map is None:
        raise click.ClickException(f"no ZIP map imported for the {ordinal(congress)} Congress")
    click.echo(f"{'district':<10} {'counted':>8} {f'map #{zip_map.id}':>9} {'change':>7}")
    for row in remap_tallies(campaign, zip_map):
        change = f"{row.change:+d}" if row.change else ""
        code = {"": f"{row.state} no map", UNDECIDED: f"{row.state} split"}.get(
            row.district, f"{row.state}-{row.district}"
        )
        click.echo(f"{code:<10} {row.counted:>8} {row.remapped:>9} {change:>7}")


COMMANDS = [datasets]
