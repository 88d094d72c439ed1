"""Erasing a closed campaign's personal data once its retention period has passed.

What is erased is exactly what the privacy page lists (PERSONAL_DATA): one list for both,
so the page cannot promise what the job does not do. Counts, tallies and each signature's
state and district stay: they identify nobody, and the public record of the campaign is
its count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.i18n import N_
from app.models import Campaign, Letter, Signature
from app.services import audit
from app.services.campaigns import page
from app.services.delivery import outbox
from app.services.unit_of_work import unit_of_work


@dataclass(frozen=True)
class PersonalDatum:
    # Both in English, marked for the catalog; the privacy page translates them.
    what: str
    why: str


PERSONAL_DATA = (
    PersonalDatum(
        N_("Your name"),
        N_(
            "given to your own representatives with the petition and your letter, and "
            "(first name and state only) shown among recent signers if you ticked that box"
        ),
    ),
    PersonalDatum(
        N_("Your email address"),
        N_("to confirm your signature, and to send you updates only if you agreed to them"),
    ),
    PersonalDatum(
        N_("Your ZIP code"),
        N_("to count support by state and district and to find your representatives"),
    ),
    PersonalDatum(
        N_("A keyed hash of your IP address"),
        N_("to spot floods of fake signatures; the address itself is never stored"),
    ),
    PersonalDatum(
        N_("The subject and text of your letter"),
        N_("sent to the representatives you chose"),
    ),
    PersonalDatum(
        N_("Your title, street address and city, if your letter went to Congress through CWC"),
        N_(
            "required by Congress with every letter it takes that way; seen only by your "
            "representatives' offices, as proof that you are their constituent"
        ),
    ),
)


def ended_at(campaign: Campaign, now: datetime) -> datetime | None:
    """When the campaign stopped taking signatures, or None while it is open or a draft."""
    if campaign.closed_at is not None:
        return campaign.closed_at
    if campaign.closes_at is not None and campaign.closes_at <= now:
        return campaign.closes_at
    return None


def erase_due(now: datetime | None = None) -> list[str]:
    """Erase the personal data of every campaign whose retention period has run out;
    return their slugs. Idempotent: a campaign is erased once."""
    now = now or utcnow()
    candidates = db.session.scalars(
        sa.select(Campaign).where(
            Campaign.retention_days.is_not(None), Campaign.personal_data_erased_at.is_(None)
        )
    ).all()
    erased = []
    for campaign in candidates:
        end = ended_at(campaign, now)
        if end is not None and end + timedelta(days=campaign.retention_days) <= now:
            erase_personal_data(campaign, now)
            erased.append(campaign.slug)
    return erased


def erase_personal_data(campaign: Campaign, now: datetime) -> int:
    """Erase every signer's personal data on the campaign; return how many signatures."""
    with unit_of_work():
        signatures = sa.select(Signature.id).where(Signature.campaign_id == campaign.id)
        erased = db.session.execute(
            sa.update(Signature)
            .where(Signature.campaign_id == campaign.id)
            .values(
                name="",
                email=None,
                email_domain="",
                zip="",
                ip_hash="",
                consent_updates=False,
                show_publicly=False,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.execute(
            sa.update(Letter)
            .where(Letter.campaign_id == campaign.id)
            .values(
                subject="",
                body="",
                body_hash="",
                public_comment=False,
                prefix="",
                street_address="",
                city="",
            )
            .execution_options(synchronize_session=False)
        )
        outbox.forget_signers(signatures)
        page.refresh(campaign.id)  # no names or comments are left to show
        campaign.personal_data_erased_at = now
        audit.record(
            None,
            "campaign.erase_personal_data",
            campaign,
            signatures=erased,
            retention_days=campaign.retention_days,
        )
        return erased
