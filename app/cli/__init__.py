"""Flask CLI commands (`flask --app app <command>`), one module per command group."""

from flask import Flask


def register_commands(app: Flask) -> None:
    from app.cli import campaigns, datasets, organizers, outbox, signatures, targets, zips

    for module in (campaigns, datasets, organizers, outbox, signatures, targets, zips):
        for command in module.COMMANDS:
            app.cli.add_command(command)
