"""Delivering the petition: a packet for each of a campaign's targets, with the total and,
for a representative, the constituents who signed.

A packet is one outbox row (kind "packet") per target and occasion: emailed to a target
with an address, held for its private page otherwise. Its numbers and signer list are read
when it is sent or opened, so they are never older than the email or the download.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.i18n import N_
from app.models import (
    AuditEvent,
    Campaign,
    CampaignStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Letter,
    Organizer,
    Signature,
    SignatureStatus,
    Target,
    TargetKind,
)
from app.services import audit
from app.services.csv_safety import csv_text
from app.services.delivery import outbox
from app.services.errors import ChorusError
from app.services.unit_of_work import unit_of_work
from app.services.workspace.organization import sponsor_of
from app.urls import external_url

# Whose constituents a target's are, by the place a signature (or its letter) records.
_BY_STATE = (TargetKind.US_SENATE, TargetKind.GOVERNOR)
_STATE_DISTRICT = {
    TargetKind.STATE_UPPER: Letter.state_upper_district,
    TargetKind.STATE_LOWER: Letter.state_lower_district,
}


class PetitionError(ChorusError):
    message = N_("The petition could not be delivered.")


@dataclass(frozen=True)
class Signer:
    name: str
    zip: str
    district: str
    email: str  # only when the signer agreed that a representative may reply


def held_reason(target: Target) -> str:
    """Why a packet for target waits on its private page instead of being emailed ("" when
    it is emailed). CWC does not carry petitions (docs/cwc.md)."""
    if target.email:
        return ""
    if target.kind in (TargetKind.US_HOUSE, TargetKind.US_SENATE):
        return (
            "Congress publishes no email address, and its CWC system carries one constituent's "
            "own message, not a petition"
        )
    return "no email address on file"


def campaign_targets(campaign: Campaign) -> sa.Select:
    """The campaign's targets: its fixed ones, and every active official of the kinds its
    letters go to."""
    fixed = sa.select(Target.id).where(Target.id.in_([t.id for t in campaign.fixed_targets]))
    routed = sa.select(Target.id).where(
        Target.kind.in_(campaign.target_kinds or []), Target.active.is_(True)
    )
    return sa.select(Target).where(Target.id.in_(fixed.union(routed))).order_by(Target.id)


def represents_constituents(target: Target) -> bool:
    return target.kind in TargetKind.ROUTED


def constituents(campaign: Campaign, target: Target) -> sa.Select:
    """The campaign's confirmed signatures from target's constituents (with their letter)."""
    query = (
        sa.select(Signature, Letter)
        .outerjoin(Letter, Letter.signature_id == Signature.id)
        .where(
            Signature.campaign_id == campaign.id,
            Signature.status == SignatureStatus.CONFIRMED,
            Signature.state == target.state,
        )
    )
    if target.kind == TargetKind.US_HOUSE:
        return query.where(Signature.district == target.district)
    if target.kind in _STATE_DISTRICT:
        # A state legislative district is known only for signers who wrote a letter.
        return query.where(_STATE_DISTRICT[target.kind] == target.district)
    if target.kind in _BY_STATE:
        return query
    return query.where(sa.false())


def constituent_count(campaign: Campaign, target: Target) -> int:
    return _count(constituents(campaign, target))


def new_constituent_count(
    campaign: Campaign, target: Target, since: datetime, until: datetime
) -> int:
    """Target's constituents who confirmed a signature of campaign after since, until until
    (withdrawn ones no longer count)."""
    return _count(
        constituents(campaign, target).where(
            Signature.confirmed_at > since, Signature.confirmed_at <= until
        )
    )


def _count(query: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def campaigns_targeting(target: Target) -> list[Campaign]:
    """The campaigns, open or closed, whose petition goes to target (campaign_targets)."""
    campaigns = db.session.scalars(
        sa.select(Campaign).where(Campaign.status != CampaignStatus.DRAFT).order_by(Campaign.id)
    )
    return [
        campaign
        for campaign in campaigns
        if db.session.scalar(
            sa.select(sa.exists().where(campaign_targets(campaign).subquery().c.id == target.id))
        )
    ]


def signature_total(campaign: Campaign) -> int:
    """Confirmed signatures right now, counted exactly (a packet is no page view)."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Signature.campaign_id == campaign.id, Signature.status == SignatureStatus.CONFIRMED
        )
    )


def signers(campaign: Campaign, target: Target) -> Iterator[Signer]:
    """Target's constituent signers, by name, as each consented to be shown."""
    rows = db.session.execute(
        constituents(campaign, target)
        .order_by(Signature.name, Signature.id)
        .execution_options(yield_per=1000)
    )
    for signature, letter in rows:
        yield Signer(
            name=signature.name,
            zip=signature.zip,
            district=_district(target, signature, letter),
            email=signature.email if letter is not None and letter.reply_to_ok else "",
        )


def _district(target: Target, signature: Signature, letter: Letter | None) -> str:
    if target.kind == TargetKind.STATE_UPPER and letter is not None:
        return letter.state_upper_district
    if target.kind == TargetKind.STATE_LOWER and letter is not None:
        return letter.state_lower_district
    return f"{signature.state}-{signature.district}" if signature.district else signature.state


def signers_csv(campaign: Campaign, target: Target) -> str:
    """The constituent signers as CSV (cells that a spreadsheet would run are defused)."""
    return csv_text(
        ["name", "zip", "district", "email"],
        ([s.name, s.zip, s.district, s.email] for s in signers(campaign, target)),
    )


def statement_text(campaign: Campaign) -> str:
    """The petition as plain text, the sidecar of every CSV file of its signers and letters
    (the CSV files stay a header and rows, for the tools that read them; docs/delivery.md)."""
    lines = [
        campaign.title,
        f"Run by: {sponsor_of(campaign)}",
        f"Campaign page: {external_url('public.campaign', slug=campaign.slug)}",
        "",
        campaign.petition or "(No petition statement has been written yet.)",
    ]
    return "\n".join(lines) + "\n"


def deliver_petition(campaign: Campaign, occasion: str) -> int:
    """Queue a packet for each of the campaign's targets (held when it has no email) in the
    caller's transaction; return how many were queued. Once per occasion and target."""
    targets = campaign_targets(campaign).subquery()
    return outbox.enqueue_select(
        ["kind", "dedupe_key", "recipient", "campaign_id", "target_id", "status"],
        sa.select(
            sa.literal(DeliveryKind.PACKET),
            sa.literal(f"packet:{campaign.id}:{occasion}:") + sa.cast(targets.c.id, sa.String),
            targets.c.email,
            sa.literal(campaign.id),
            targets.c.id,
            sa.case(
                (targets.c.email == "", sa.literal(DeliveryStatus.HELD)),
                else_=sa.literal(DeliveryStatus.QUEUED),
            ),
        ),
    )


def deliver_now(campaign: Campaign, organizer: Organizer) -> int:
    """An organizer's "deliver now": a packet to every target; return how many."""
    if not campaign.petition:
        raise PetitionError(N_("Write the petition statement before delivering it."))
    with unit_of_work():
        event: AuditEvent = audit.record(organizer, "petition.deliver", campaign)
        db.session.flush()
        queued = deliver_petition(campaign, f"manual-{event.id}")
        event.detail = {"packets": queued}
        return queued


def packets_for(target: Target) -> list[tuple[Campaign, Delivery]]:
    """The latest petition packet of each campaign delivered (or held) for target."""
    latest = (
        sa.select(sa.func.max(Delivery.id))
        .where(Delivery.kind == DeliveryKind.PACKET, Delivery.target_id == target.id)
        .group_by(Delivery.campaign_id)
    )
    return list(
        db.session.execute(
            sa.select(Campaign, Delivery)
            .join(Delivery, Delivery.campaign_id == Campaign.id)
            .where(Delivery.id.in_(latest))
            .order_by(Delivery.id.desc())
        ).all()
    )


def campaign_delivered_to(target: Target, slug: str) -> Campaign | None:
    """A campaign whose petition was delivered to target, by slug."""
    return db.session.scalar(
        sa.select(Campaign).where(
            Campaign.slug == slug,
            sa.exists().where(
                Delivery.kind == DeliveryKind.PACKET,
                Delivery.target_id == target.id,
                Delivery.campaign_id == Campaign.id,
            ),
        )
    )
