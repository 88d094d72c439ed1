"""Moderation: the queue of public comments and flagged letters, and fraud clean-up."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.i18n import N_
from app.models import (
    Campaign,
    Delivery,
    DeliveryChannel,
    DeliveryKind,
    DeliveryStatus,
    Letter,
    Moderation,
    Organizer,
    Signature,
    SignatureStatus,
    Target,
)
from app.services import audit
from app.services.campaigns import page
from app.services.delivery import outbox
from app.services.errors import ChorusError
from app.services.signing.counting import count_signatures
from app.services.unit_of_work import unit_of_work

DECISIONS = {"approve": Moderation.APPROVED, "reject": Moderation.REJECTED}
# Hiding a public comment is a decision about what the page shows, not about delivery.
HIDE_COMMENT = "hide_comment"
# Signatures are grouped by what a script reuses: its IP address or an email domain.
GROUPINGS = {"ip": Signature.ip_hash, "domain": Signature.email_domain}
_LIVE = (SignatureStatus.PENDING, SignatureStatus.CONFIRMED)


class ModerationError(ChorusError):
    message = N_("That moderation step could not be done.")


def _awaiting_decision(campaign: Campaign) -> tuple:
    """Letters a moderator should decide on: public comments and letters flagged when
    written wait as pending; letters from senders the rate limits marked for review are
    shown too (they were not held, but rejecting one still stops what is unsent)."""
    reviewed_senders = sa.select(Signature.id).where(
        Signature.campaign_id == campaign.id,
        Signature.review_reason != "",
        Signature.status.in_(_LIVE),
    )
    return (
        Letter.campaign_id == campaign.id,
        sa.or_(
            Letter.moderation == Moderation.PENDING,
            sa.and_(
                Letter.moderation == Moderation.NONE, Letter.signature_id.in_(reviewed_senders)
            ),
        ),
    )


def queue(campaign: Campaign, limit: int = 200) -> list[Letter]:
    """Letters awaiting a decision, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Letter)
            .join(Signature, Letter.signature_id == Signature.id)
            .where(*_awaiting_decision(campaign), Signature.status.in_(_LIVE))
            .order_by(Letter.created_at, Letter.id)
            .limit(limit)
        )
    )


def awaiting(campaign: Campaign, letter_ids: list[int]) -> list[Letter]:
    """The chosen letters that still await a decision (what a confirmation page lists)."""
    return list(
        db.session.scalars(
            sa.select(Letter)
            .where(Letter.id.in_(letter_ids), *_awaiting_decision(campaign))
            .order_by(Letter.created_at, Letter.id)
        )
    )


def decide(campaign: Campaign, letter_ids: list[int], decision: str, organizer: Organizer) -> int:
    """Approve or reject letters awaiting a decision, or hide their public comments; return
    how many were decided.

    Ids from another campaign or already decided are ignored. Approving a flagged letter
    sends what was held only for moderation (and shows its comment); rejecting one cancels
    its unsent deliveries, so it never reaches a representative. Hiding a comment keeps the
    letter: it goes out as it would have, or still waits for a decision when flagged. Each
    writer is told by email what became of their comment or letter.
    """
    with unit_of_work():
        _lock_writers(campaign, letter_ids)
        if decision == HIDE_COMMENT:
            decided = _hide_comments(campaign, letter_ids)
        elif decision in DECISIONS:
            decided = _decide_letters(campaign, letter_ids, decision)
        else:
            raise ModerationError(N_("Unknown decision %(decision)r."), decision=decision)
        if decided:
            page.refresh(campaign.id)  # a comment approved or hidden
            _tell_writers(decided, decision)
            audit.record(organizer, f"moderation.{decision}", campaign, letters=sorted(decided))
        return len(decided)


def _lock_writers(campaign: Campaign, letter_ids: list[int]) -> None:
    """Lock the writers' signatures before their letters, the order confirming takes them:
    a writer's click at the same moment then waits for this decision (and the notice to
    them, whose row refers to the signature) instead of deadlocking with it."""
    db.session.execute(
        sa.select(Signature.id)
        .join(Letter, Letter.signature_id == Signature.id)
        .where(Letter.id.in_(letter_ids), Letter.campaign_id == campaign.id)
        .order_by(Signature.id)
        .with_for_update(of=Signature)
    )


def _decide_letters(campaign: Campaign, letter_ids: list[int], decision: str) -> list[int]:
    decided = list(
        db.session.scalars(
            sa.update(Letter)
            .where(Letter.id.in_(letter_ids), *_awaiting_decision(campaign))
            .values(moderation=DECISIONS[decision])
            .returning(Letter.id)
            .execution_options(synchronize_session=False)
        )
    )
    if decided and decision == "reject":
        db.session.execute(
            sa.update(Delivery)
            .where(
                Delivery.letter_id.in_(decided),
                Delivery.status.in_((DeliveryStatus.QUEUED, DeliveryStatus.HELD)),
            )
            .values(status=DeliveryStatus.CANCELLED)
        )
    if decided and decision == "approve":
        _release_moderated(decided)
    return decided


def _hide_comments(campaign: Campaign, letter_ids: list[int]) -> list[int]:
    """Take public comments off the page; an unflagged letter needs no further decision."""
    comments = (
        Letter.id.in_(letter_ids),
        Letter.public_comment.is_(True),
        *_awaiting_decision(campaign),
    )
    decided = list(db.session.scalars(sa.select(Letter.id).where(*comments)))
    db.session.execute(
        sa.update(Letter)
        .where(Letter.id.in_(decided))
        .values(
            public_comment=False,
            moderation=sa.case((Letter.flags == "", Moderation.APPROVED), else_=Letter.moderation),
        )
        .execution_options(synchronize_session=False)
    )
    return decided


def _tell_writers(letter_ids: list[int], decision: str) -> None:
    """Queue an email to each writer whose comment was hidden or whose letter was stopped
    (an approval changes nothing they were promised, so it needs none)."""
    if decision == "approve":
        return
    writers = db.session.execute(
        sa.select(Letter.id, Signature.id, Signature.email, Letter.campaign_id)
        .join(Signature, Letter.signature_id == Signature.id)
        .where(Letter.id.in_(letter_ids), Signature.email.is_not(None))
    )
    for letter_id, signature_id, email, campaign_id in writers:
        outbox.enqueue(
            DeliveryKind.MODERATION,
            f"moderation:{letter_id}:{decision}",
            email,
            campaign_id=campaign_id,
            # Not letter_id: a delivery carrying it counts as the letter being queued.
            signature_id=signature_id,
        )


def _release_moderated(letter_ids: list[int]) -> None:
    """Queue approved letters' deliveries that were held only because of moderation: to an
    office's email address, or through CWC (whose rows already name the office)."""
    deliverable = sa.select(Target.id).where(Target.email != "", Target.wants_digest.is_(False))
    held = db.session.execute(
        sa.select(Delivery.id, Delivery.channel, Delivery.recipient, Target.email)
        .join(Target, Delivery.target_id == Target.id)
        .where(
            Delivery.letter_id.in_(letter_ids),
            Delivery.status == DeliveryStatus.HELD,
            sa.or_(
                Delivery.target_id.in_(deliverable),
                sa.and_(Delivery.channel == DeliveryChannel.CWC, Delivery.recipient != ""),
            ),
        )
    ).all()
    now = utcnow()
    for delivery_id, channel, recipient, email in held:
        db.session.execute(
            sa.update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.HELD)
            .values(
                status=DeliveryStatus.QUEUED,
                recipient=recipient if channel == DeliveryChannel.CWC else email,
                next_attempt_at=now,
            )
        )


@dataclass(frozen=True)
class Group:
    key: str
    signatures: int
    confirmed: int
    pending: int


def suspicious_groups(
    campaign: Campaign, by: str, minimum: int = 2, limit: int = 50
) -> list[Group]:
    """Live signatures of the campaign grouped by IP hash or email domain, largest first."""
    column = _grouping(by)
    confirmed = sa.func.sum(sa.case((Signature.status == SignatureStatus.CONFIRMED, 1), else_=0))
    rows = db.session.execute(
        sa.select(column, sa.func.count(), confirmed)
        .where(Signature.campaign_id == campaign.id, Signature.status.in_(_LIVE), column != "")
        .group_by(column)
        .having(sa.func.count() >= minimum)
        .order_by(sa.func.count().desc(), column)
        .limit(limit)
    )
    return [Group(key, n, int(c or 0), n - int(c or 0)) for key, n, c in rows]


@dataclass(frozen=True)
class InvalidationPreview:
    by: str
    key: str
    # The first few signatures of the group, for a person to look at.
    sample: list[Signature]
    confirmed: int
    pending: int
    count_before: int

    @property
    def count_after(self) -> int:
        return self.count_before - self.confirmed


def preview_invalidation(
    campaign: Campaign, by: str, key: str, sample_size: int = 50
) -> InvalidationPreview:
    """What marking one group fraudulent would change, without changing anything."""
    members = _group_members(campaign, by, key)
    by_status = dict(
        db.session.execute(
            sa.select(Signature.status, sa.func.count()).where(*members).group_by(Signature.status)
        ).all()
    )
    sample = db.session.scalars(
        sa.select(Signature).where(*members).order_by(Signature.created_at).limit(sample_size)
    )
    return InvalidationPreview(
        by=by,
        key=key,
        sample=list(sample),
        confirmed=by_status.get(SignatureStatus.CONFIRMED, 0),
        pending=by_status.get(SignatureStatus.PENDING, 0),
        count_before=campaign.signature_count,
    )


def invalidate(campaign: Campaign, by: str, key: str, organizer: Organizer) -> int:
    """Mark one group's live signatures fraudulent, stop their mail, and lower the counts."""
    with unit_of_work():
        ids = list(
            db.session.scalars(
                sa.update(Signature)
                .where(*_group_members(campaign, by, key))
                .values(status=SignatureStatus.FRAUDULENT)
                .returning(Signature.id)
            )
        )
        if not ids:
            return 0
        db.session.execute(
            sa.update(Delivery)
            .where(
                Delivery.signature_id.in_(ids),
                Delivery.status.in_((DeliveryStatus.QUEUED, DeliveryStatus.HELD)),
            )
            .values(status=DeliveryStatus.CANCELLED)
        )
        audit.record(organizer, "signatures.invalidate", campaign, by=by, key=key, count=len(ids))
        # Also those confirmed since the last count, which counting would not see as changed.
        page.refresh(campaign.id)
    # Fold the change into the public counts now rather than at the next periodic run.
    count_signatures()
    return len(ids)


def _grouping(by: str) -> sa.ColumnElement:
    if by not in GROUPINGS:
        raise ModerationError(N_("Unknown grouping %(by)r."), by=by)
    return GROUPINGS[by]


def _group_members(campaign: Campaign, by: str, key: str) -> tuple:
    if not key:
        raise ModerationError(N_("Choose a group to invalidate."))
    return (
        Signature.campaign_id == campaign.id,
        Signature.status.in_(_LIVE),
        _grouping(by) == key,
    )
