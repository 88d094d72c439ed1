"""Outgoing email: the Message, its backends, and rendering from templates/email/."""

from flask import current_app, render_template

from app.mail.backends import MailBackend
from app.mail.message import Message


def render_email(name: str, **context) -> tuple[str, str, str]:
    """Render templates/email/<name>/ into (subject, text body, HTML body)."""
    subject = render_template(f"email/{name}/subject.txt", **context)
    text = render_template(f"email/{name}/body.txt", **context)
    html = render_template(f"email/{name}/body.html", **context)
    return " ".join(subject.split()), text, html


def mail_backend() -> MailBackend:
    """The backend this app was configured with."""
    return current_app.extensions["chorus_mail"]


__all__ = ["MailBackend", "Message", "mail_backend", "render_email"]
