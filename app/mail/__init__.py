"""Outgoing email, the transport floor: the Message, its backends and their errors.

Nothing here knows campaigns or signers: what to send and to whom is composed in
app/services/delivery/composing.py.
"""

from flask import current_app

from app.mail.backends import MailBackend
from app.mail.message import Message


def mail_backend() -> MailBackend:
    """The backend this app was configured with."""
    return current_app.extensions["chorus_mail"]


__all__ = ["MailBackend", "Message", "mail_backend"]
