"""`flask organizer create EMAIL --role ...`: organizer accounts from the shell."""

import sys

import click

from app.models import Role
from app.services.workspace.accounts import AccountError, create_organizer


@click.group("organizer")
def organizer() -> None:
    """Manage organizer accounts."""


@organizer.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(Role.ALL), default=Role.ORGANIZER, show_default=True)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of asking for it.",
)
def create(email: str, role: str, password_stdin: bool) -> None:
    """Create an organizer account (the password is asked for, never an argument)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        account = create_organizer(email, password, role)
    except AccountError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"created {account.role} {account.email}")


COMMANDS = [organizer]
