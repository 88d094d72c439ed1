"""Channels: how an outbox row reaches its recipient.

Each channel pairs a composer (services decide what to say, to whom, and whether it is
still wanted) with an adapter (the transport: it knows its protocol and nothing of
campaigns). Email, Congress's CWC API for letters to members of Congress, and signed
webhooks to an organization's endpoints; the outbox's leases, retries and backoff serve
them all unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from flask import current_app

from app.cwc import cwc_client, validate
from app.mail import MailBackend, Message, mail_backend
from app.mail.backends import BatchingBackend, BatchMessage
from app.mail.errors import DeliveryError, PermanentDeliveryError
from app.models import Delivery, DeliveryChannel
from app.services.delivery import composing, webhooks
from app.services.delivery.cwc_letters import CwcPayload, cwc_letter
from app.webhooks import client
from app.webhooks.client import WebhookRequest


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


class CwcAdapter:
    """Letters to member offices through CWC: checked against the schema, then posted to
    the office's chamber."""

    max_batch = 0

    def __init__(self, config: Mapping):
        self.config = config

    def send(self, payload: CwcPayload) -> str:
        # A message the schema refuses fails for good, naming the field (CwcSchemaError).
        validate(payload.xml)
        client = cwc_client(self.config, payload.office)
        if client is None:
            # Switched off since the letter was queued: `flask outbox retry` once back on.
            raise PermanentDeliveryError(f"CWC is off for {payload.office}'s chamber")
        client.post(payload.xml)
        return payload.delivery_id


class WebhookAdapter:
    """Signed POSTs to an organization's endpoints, each attempt logged for its page."""

    max_batch = 0

    def __init__(self, timeout: float):
        self.timeout = timeout

    def send(self, payload: WebhookRequest) -> None:
        try:
            status = client.post(payload, self.timeout)
        except DeliveryError as error:
            webhooks.record_attempt(payload, ok=False, error=error.reason)
            raise
        webhooks.record_attempt(payload, ok=True, status_code=status)
        return None


def compose(delivery: Delivery):
    """What to send for a delivery in its channel's terms, or None when it is no longer
    wanted (a signer withdrew, a supporter unsubscribed)."""
    if delivery.channel == DeliveryChannel.EMAIL:
        return composing.compose(delivery)
    if delivery.channel == DeliveryChannel.CWC:
        return cwc_letter(delivery)
    if delivery.channel == DeliveryChannel.WEBHOOK:
        return webhooks.compose(delivery)
    raise ValueError(f"no composer for delivery channel {delivery.channel!r}")


def adapter(channel: str) -> Adapter:
    """The adapter that sends this channel's deliveries."""
    if channel == DeliveryChannel.EMAIL:
        return EmailAdapter(mail_backend())
    if channel == DeliveryChannel.CWC:
        return CwcAdapter(current_app.config)
    if channel == DeliveryChannel.WEBHOOK:
        return WebhookAdapter(current_app.config["WEBHOOK_TIMEOUT"])
    raise ValueError(f"no adapter for delivery channel {channel!r}")
