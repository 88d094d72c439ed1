"""The outbox: one row per message to send, the source of truth for delivery."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.clock import utcnow
from app.extensions import db
from app.i18n import N_


class DeliveryChannel:
    """How a delivery reaches its recipient; `Delivery.recipient` is in its terms."""

    EMAIL = "email"  # recipient: an email address
    CWC = "cwc"  # recipient: a member office's CWC code (HCA11, SCA03)
    WEBHOOK = "webhook"  # recipient: a WebhookEndpoint's id


class DeliveryKind:
    CONFIRMATION = "confirmation"
    LETTER = "letter"
    DIGEST = "digest"
    UPDATE = "update"
    # To a repeat signer whose new letter could not be attached (a letter already sent, or
    # written from another ZIP code): the page cannot say so without telling anyone who
    # types an address whether it has signed.
    LETTER_NOT_TAKEN = "letter_not_taken"
    # A milestone reached: to each consenting supporter, and a notice to each organizer.
    MILESTONE = "milestone"
    MILESTONE_NOTICE = "milestone_notice"
    # To a letter's writer: a moderator hid their public comment or stopped their letter.
    MODERATION = "moderation"
    # A reset link to an organizer who asked for one (recipient: their account's email).
    PASSWORD_RESET = "password_reset"
    # The petition (text, total, constituents) to one target; held when it has no email.
    PACKET = "packet"
    # To a letter's writer once all its deliveries have settled: what happened, per office.
    RECEIPT = "receipt"
    # To a writer who asked to hear back, when a representative responds to the campaign.
    RESPONSE = "response"
    # An event to an organization's webhook endpoint (the event's name is in the dedupe key).
    WEBHOOK = "webhook"
    # To each admin: a webhook endpoint was turned off after failing persistently.
    WEBHOOK_DISABLED = "webhook_disabled"


# What organizers read for each kind (analytics, the outbox), instead of internal names.
# Marked for the catalog; translated where shown.
DeliveryKind.LABELS = {
    DeliveryKind.CONFIRMATION: N_("Confirmation requests"),
    DeliveryKind.LETTER: N_("Letters to officials"),
    DeliveryKind.DIGEST: N_("Daily digests to offices"),
    DeliveryKind.UPDATE: N_("Updates to supporters"),
    DeliveryKind.LETTER_NOT_TAKEN: N_("Notices: a second letter not taken"),
    DeliveryKind.MILESTONE: N_("Milestone news to supporters"),
    DeliveryKind.MILESTONE_NOTICE: N_("Milestone notices to organizers"),
    DeliveryKind.MODERATION: N_("Moderation notices to writers"),
    DeliveryKind.PASSWORD_RESET: N_("Password reset links"),
    DeliveryKind.PACKET: N_("Petition packets"),
}


class DeliveryStatus:
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    DEFERRED = "deferred"
    BOUNCED = "bounced"
    DROPPED = "dropped"
    SPAM = "spam_reported"
    FAILED = "failed"
    # A letter for a target without an address (or one that takes a digest).
    HELD = "held"
    SUPPRESSED = "suppressed"
    CANCELLED = "cancelled"
    DUE = (QUEUED, SENDING)


class Delivery(db.Model):
    __tablename__ = "deliveries"
    __table_args__ = (
        sa.UniqueConstraint("letter_id", "target_id"),
        sa.Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    # Makes every enqueue idempotent: "confirmation:<sig>:<n>", "update:<update>:<sig>", ...
    dedupe_key: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    campaign_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    signature_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("signatures.id", ondelete="SET NULL"), index=True
    )
    letter_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("letters.id", ondelete="CASCADE")
    )
    target_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("targets.id"), index=True)
    update_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("supporter_updates.id", ondelete="CASCADE")
    )
    channel: so.Mapped[str] = so.mapped_column(sa.String(16), default=DeliveryChannel.EMAIL)
    # Whom to send to, in the channel's terms (an email address for email); "" once a
    # withdrawn signer's address is erased, or for a target with no address yet.
    recipient: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=DeliveryStatus.QUEUED)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # A claim is a lease: past this time another worker may take the row over.
    leased_until: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    last_error: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    provider_message_id: so.Mapped[str] = so.mapped_column(sa.String(120), default="", index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)


class Suppression(db.Model):
    """An address that hard-bounced or reported spam: never mailed again."""

    __tablename__ = "suppressions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    reason: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class ProviderEvent(db.Model):
    """A mail provider event already applied, so duplicates are ignored."""

    __tablename__ = "provider_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    delivery_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("deliveries.id", ondelete="SET NULL"), index=True
    )
    event: so.Mapped[str] = so.mapped_column(sa.String(32))
    received_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
