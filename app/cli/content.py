"""`flask seed`: load campaigns from content/campaigns/."""

from pathlib import Path

import click

from app import ROOT
from app.services.content import ContentError, seed_campaigns


@click.command("seed")
@click.option(
    "--content",
    "directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=ROOT / "content" / "campaigns",
    show_default=True,
)
@click.option("--overwrite", is_flag=True, help="Also refresh campaigns that already exist.")
def seed(directory: Path, overwrite: bool) -> None:
    """Create the campaigns described in the content files (idempotent)."""
    try:
        result = seed_campaigns(directory, overwrite=overwrite)
    except ContentError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"campaigns: {len(result.created)} created, {len(result.updated)} updated, "
        f"unchanged otherwise ({', '.join(result.created + result.updated) or 'none touched'})"
    )


COMMANDS = [seed]
