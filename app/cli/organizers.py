"""`flask organizer create|set-password EMAIL`: organizer accounts from the shell."""

import sys

import click

from app.models import Role
from app.services.workspace import accounts
from app.services.workspace.accounts import AccountError, create_organizer, find_organizer


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
    password = _read_password(password_stdin)
    try:
        account = create_organizer(email, password, role)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"created {account.role} {account.email}")


@organizer.command("set-password")
@click.argument("email")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of asking for it.",
)
def set_password(email: str, password_stdin: bool) -> None:
    """Set an account's password (for a locked-out organizer); its sessions end."""
    account = find_organizer(email)
    if account is None:
        raise click.ClickException(f"No account for {email}.")
    password = _read_password(password_stdin)
    try:
        accounts.set_password(account, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"password set for {account.email}")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


COMMANDS = [organizer]
