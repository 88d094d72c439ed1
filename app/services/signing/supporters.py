"""Supporters: the signers who agreed to hear from a campaign."""

from __future__ import annotations

import sqlalchemy as sa

from app.models import Campaign, Signature, SignatureStatus


def recipients(campaign: Campaign) -> sa.Select:
    """The signatures an update or milestone email reaches: confirmed, consenting, with an
    address."""
    return sa.select(Signature.id, Signature.email).where(
        Signature.campaign_id == campaign.id,
        Signature.status == SignatureStatus.CONFIRMED,
        Signature.consent_updates.is_(True),
        Signature.email.is_not(None),
    )
