"""An organization's integrations: API keys for its own tools, and webhook endpoints."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.clock import utcnow
from app.extensions import db


class Scope:
    """What an API key may do beyond the public API."""

    SUPPORTERS_READ = "supporters:read"
    SIGNATURES_WRITE = "signatures:write"
    ALL = (SUPPORTERS_READ, SIGNATURES_WRITE)


class ApiKey(db.Model):
    """A key an organization's CRM or partner site sends as `Authorization: Bearer <key>`.

    Only a SHA-256 of the key is stored (like representatives' links): it is shown once.
    """

    __tablename__ = "api_keys"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    # The key's first characters, so organizers can tell keys apart without the secret.
    prefix: so.Mapped[str] = so.mapped_column(sa.String(16))
    key_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    # Space-separated Scope values.
    scopes: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("organizers.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)

    def allows(self, scope: str) -> bool:
        return self.revoked_at is None and scope in self.scopes.split()


class WebhookEvent:
    """What an endpoint can subscribe to; each is sent as an outbox row on the webhook channel."""

    SIGNATURE_CONFIRMED = "signature.confirmed"
    SIGNATURE_WITHDRAWN = "signature.withdrawn"
    LETTER_DELIVERED = "letter.delivered"
    RESPONSE_POSTED = "response.posted"
    MILESTONE_REACHED = "milestone.reached"
    ALL = (
        SIGNATURE_CONFIRMED,
        SIGNATURE_WITHDRAWN,
        LETTER_DELIVERED,
        RESPONSE_POSTED,
        MILESTONE_REACHED,
    )


class WebhookEndpoint(db.Model):
    """An HTTPS URL that receives signed events."""

    __tablename__ = "webhook_endpoints"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    url: so.Mapped[str] = so.mapped_column(sa.String(500))
    # The HMAC key: kept in the clear because every delivery is signed with it.
    secret: so.Mapped[str] = so.mapped_column(sa.String(100))
    # Space-separated WebhookEvent values.
    events: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    active: so.Mapped[bool] = so.mapped_column(default=True)
    # Why Chorus turned it off by itself ("" when an organizer did, or it is on).
    disabled_reason: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("organizers.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    def wants(self, event: str) -> bool:
        return self.active and event in self.events.split()


class WebhookAttempt(db.Model):
    """One POST to an endpoint and what came of it: the log organizers read."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (sa.Index("ix_webhook_attempts_endpoint_id_id", "endpoint_id", "id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    endpoint_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    delivery_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("deliveries.id", ondelete="SET NULL")
    )
    event: so.Mapped[str] = so.mapped_column(sa.String(32))
    ok: so.Mapped[bool] = so.mapped_column(default=False)
    # The HTTP status (0: no answer) and, on failure, why.
    status_code: so.Mapped[int] = so.mapped_column(default=0)
    error: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    attempted_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
