"""`flask seed`: load campaigns from their content files (CONTENT_DIR)."""

from pathlib import Path

import click
from flask import current_app

from app.services.campaigns.content import ContentError, seed_campaigns


@click.command("seed")
@click.option(
    "--content",
    "directory",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of content files (default: CONTENT_DIR, content/campaigns/).",
)
@click.option("--overwrite", is_flag=True, help="Also refresh campaigns that already exist.")
def seed(directory: Path | None, overwrite: bool) -> None:
    """Create the campaigns described in the content files (idempotent)."""
    try:
        result = seed_campaigns(directory or current_app.config["CONTENT_DIR"], overwrite=overwrite)
    except ContentError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"campaigns: {len(result.created)} created, {len(result.updated)} updated, "
        f"unchanged otherwise ({', '.join(result.created + result.updated) or 'none touched'})"
    )


COMMANDS = [seed]
