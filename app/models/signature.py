"""A signature (a small state machine) and the letter that may ride on it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.clock import utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.models.campaign import Campaign
    from app.models.target import Target


class SignatureStatus:
    PENDING = "pending"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"
    FRAUDULENT = "fraudulent"
    ALL = (PENDING, CONFIRMED, WITHDRAWN, FRAUDULENT)


class Signature(db.Model):
    __tablename__ = "signatures"
    # A withdrawn signature's email is erased (NULL), so its signer can sign again.
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "email"),
        sa.Index("ix_signatures_campaign_status_counted", "campaign_id", "status", "counted"),
        # "Recent signers" on the campaign page: the newest few of a million rows, read
        # straight from this small partial index instead of sorting every confirmed row.
        sa.Index(
            "ix_signatures_recent_public",
            "campaign_id",
            "confirmed_at",
            postgresql_where=sa.text("status = 'confirmed' AND show_publicly"),
            sqlite_where=sa.text("status = 'confirmed' AND show_publicly"),
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    campaign_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE")
    )
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=SignatureStatus.PENDING)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    email_domain: so.Mapped[str] = so.mapped_column(sa.String(254), default="", index=True)
    zip: so.Mapped[str] = so.mapped_column(sa.String(5), default="")
    # Kept after withdrawal (no person is identified by them) so counts can be reconciled.
    state: so.Mapped[str] = so.mapped_column(sa.String(2), default="")
    district: so.Mapped[str] = so.mapped_column(sa.String(4), default="")
    # The ZIP-to-district map that placed the signer (None: no map knew the ZIP).
    zip_dataset_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("datasets.id"))
    consent_updates: so.Mapped[bool] = so.mapped_column(default=False)
    show_publicly: so.Mapped[bool] = so.mapped_column(default=False)
    ip_hash: so.Mapped[str] = so.mapped_column(sa.String(64), default="", index=True)
    # The language the signer read the campaign in: their emails are written in it.
    locale: so.Mapped[str] = so.mapped_column(sa.String(8), default="en", server_default="en")
    # Set when rate limits or heuristics think a person should look at this signature.
    review_reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    # Where the signer came from: a share link's or an embed's source code (`?src=`). Only
    # a server default, so statements written for the table before it need not name it.
    source: so.Mapped[str] = so.mapped_column(sa.String(40), server_default="")
    confirmations_sent: so.Mapped[int] = so.mapped_column(default=0)
    # True once services.counting has added this confirmed signature to the public counts.
    counted: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(sa.DateTime)

    campaign: so.Mapped[Campaign] = so.relationship()
    letter: so.Mapped[Letter | None] = so.relationship(back_populates="signature")

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else ""


letter_targets = sa.Table(
    "letter_targets",
    db.metadata,
    sa.Column("letter_id", sa.ForeignKey("letters.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("target_id", sa.ForeignKey("targets.id"), primary_key=True),
)


class Moderation:
    NONE = "none"  # not a public comment and nothing flagged: no review needed
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Letter(db.Model):
    __tablename__ = "letters"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    signature_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("signatures.id", ondelete="CASCADE"), unique=True
    )
    campaign_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    subject: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    edited: so.Mapped[bool] = so.mapped_column(default=False)
    # Hash of the normalised body, to spot exact duplicates from the same sender.
    body_hash: so.Mapped[str] = so.mapped_column(sa.String(64), default="", index=True)
    reply_to_ok: so.Mapped[bool] = so.mapped_column(default=False)
    public_comment: so.Mapped[bool] = so.mapped_column(default=False)
    moderation: so.Mapped[str] = so.mapped_column(sa.String(16), default=Moderation.NONE)
    flags: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    state_upper_district: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    state_lower_district: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    # Why some chambers got no copy (their data for the day of writing was missing).
    held_reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    # Asked only when an office takes letters through CWC, which requires them; proof of
    # constituency for that office, never shown publicly, erased with the signer's details.
    prefix: so.Mapped[str] = so.mapped_column(sa.String(40), default="", server_default="")
    street_address: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    city: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)

    signature: so.Mapped[Signature] = so.relationship(back_populates="letter")
    targets: so.Mapped[list[Target]] = so.relationship(secondary=letter_targets)
