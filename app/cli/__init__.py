"""Flask CLI commands (`flask --app app <command>`), one module per area."""

from flask import Flask


def register_commands(app: Flask) -> None:
    from app.cli import content, delivery, organizers, representatives, reps

    for module in (content, delivery, organizers, reps):
        for command in module.COMMANDS:
            app.cli.add_command(command)
    for command in representatives.REPS_COMMANDS:
        reps.reps.add_command(command)
