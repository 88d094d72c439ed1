"""Channels: how an outbox row reaches its recipient.

Each channel pairs a composer (services decide what to say, to whom, and whether it is
still wanted) with an adapter (the transport: it knows its protocol and nothing of
campaigns). Email is the one channel today; a new one (Congress's CWC API) is its
composer and its adapter registered here, and the outbox's leases, retries and backoff
serve it unchanged.
"""

from __future__ import annotations

from typing import Protocol

from app.mail import MailBackend, Message, mail_backend
from app.mail.backends import BatchingBackend, BatchMessage
from app.models import Delivery, DeliveryChannel
from app.services.delivery import composing


class Adapter(Protocol):
    # How many recipients one request may carry (0: the channel sends one at a time).
    max_batch: int

    def send(self, payload) -> str | None:
        """Send one payload; return the provider's message id, or raise a DeliveryError."""


class EmailAdapter:
    """Email through the configured mail backend, in batches where the backend takes them
    (SendGrid)."""

    def __init__(self, backend: MailBackend):
        self.backend = backend
        self.max_batch = backend.MAX_BATCH if isinstance(backend, BatchingBackend) else 0

    def send(self, payload: Message | BatchMessage) -> str | None:
        if isinstance(payload, BatchMessage):
            return self.backend.send_batch(payload)
        return self.backend.send(payload)


def compose(delivery: Delivery):
    """What to send for a delivery in its channel's terms, or None when it is no longer
    wanted (a signer withdrew, a supporter unsubscribed)."""
    if delivery.channel == DeliveryChannel.EMAIL:
        return composing.compose(delivery)
    raise ValueError(f"no composer for delivery channel {delivery.channel!r}")


def adapter(channel: str) -> Adapter:
    """The adapter that sends this channel's deliveries."""
    if channel == DeliveryChannel.EMAIL:
        return EmailAdapter(mail_backend())
    raise ValueError(f"no adapter for delivery channel {channel!r}")
