"""Milestones: thresholds of a campaign's count, each recorded once when the count crosses
it, and what then happens.

The counting job calls record_reached in its own transaction. The row's unique (campaign,
threshold) makes the record happen once however many counters race (INSERT ... ON CONFLICT
DO NOTHING RETURNING tells the one that inserted it); only that one queues the follow-ups,
all in the same transaction, each through the outbox with a dedupe key: a notice to each
organizer, an email to each supporter who agreed to updates, and the milestone's action,
delivering the petition to every target.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.database import insert
from app.extensions import db
from app.models import Campaign, DeliveryKind, Milestone, Organizer, Role, WebhookEvent
from app.services.campaigns.page import MilestoneStatus, milestone_statuses, reached_thresholds
from app.services.delivery import outbox, webhooks
from app.services.signing.supporters import recipients
from app.services.targets.petition import deliver_petition


def record_reached(campaign_ids: set[int]) -> list[Milestone]:
    """Record each threshold the campaigns' counts have reached for the first time and
    queue what follows; return the new milestones. The caller commits."""
    reached = []
    for campaign in db.session.scalars(sa.select(Campaign).where(Campaign.id.in_(campaign_ids))):
        db.session.refresh(campaign, ["signature_count"])  # just updated by a statement
        for threshold in campaign.thresholds or []:
            if campaign.signature_count >= threshold["count"]:
                milestone = _record(campaign, threshold)
                if milestone is not None:
                    _follow_up(campaign, milestone)
                    reached.append(milestone)
    return reached


def _record(campaign: Campaign, threshold: dict) -> Milestone | None:
    """Insert the milestone unless it exists; the new row, or None if it was there."""
    milestone_id = db.session.scalar(
        insert(Milestone)
        .values(
            campaign_id=campaign.id,
            threshold=threshold["count"],
            label=threshold.get("label", ""),
            count_at_reach=campaign.signature_count,
        )
        .on_conflict_do_nothing(index_elements=["campaign_id", "threshold"])
        .returning(Milestone.id)
    )
    return db.session.get(Milestone, milestone_id) if milestone_id is not None else None


def _follow_up(campaign: Campaign, milestone: Milestone) -> None:
    organizers = db.session.scalars(
        sa.select(Organizer).where(
            Organizer.active.is_(True), Organizer.role.in_((Role.ADMIN, Role.ORGANIZER))
        )
    )
    for organizer in organizers:
        outbox.enqueue_new(
            DeliveryKind.MILESTONE_NOTICE,
            f"milestone_notice:{milestone.id}:{organizer.id}",
            organizer.email,
            campaign_id=campaign.id,
        )
    supporters = recipients(campaign).subquery()
    outbox.enqueue_select(
        ["kind", "dedupe_key", "recipient", "signature_id", "campaign_id"],
        sa.select(
            sa.literal(DeliveryKind.MILESTONE),
            sa.literal(f"milestone:{milestone.id}:") + sa.cast(supporters.c.id, sa.String),
            supporters.c.email,
            supporters.c.id,
            sa.literal(campaign.id),
        ),
    )
    if campaign.petition:
        deliver_petition(campaign, f"milestone-{milestone.threshold}")
    webhooks.emit(WebhookEvent.MILESTONE_REACHED, milestone.id, campaign.id)


def milestone_id(dedupe_key: str) -> int:
    """The milestone a milestone email or notice is about, from its dedupe key."""
    return int(dedupe_key.split(":")[1])


def milestones_of(campaign: Campaign) -> list[MilestoneStatus]:
    """The campaign's thresholds in order, each with when it was reached, the first one not
    yet reached marked as next."""
    return milestone_statuses(campaign.thresholds, dict(reached_thresholds(campaign)))
