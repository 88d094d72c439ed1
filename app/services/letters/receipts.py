"""After a letter: a receipt once its deliveries settle, and word when a representative responds.

Both are emails to the writer through the outbox, each queued by one INSERT ... SELECT that
skips rows already queued (their dedupe keys), so either may be asked for more than once.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Letter,
    Moderation,
    Response,
    Signature,
    SignatureStatus,
    Target,
    WebhookEvent,
)
from app.models.signature import letter_targets
from app.services.delivery import outbox, webhooks

UNSETTLED = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)
# No letter_id: a letter's own rows are the ones that carry it (one per office).
_COLUMNS = ["kind", "dedupe_key", "recipient", "signature_id", "campaign_id"]


def queue_receipts(letter_ids: list[int] | sa.Select) -> int:
    """Queue the receipt of each of these letters whose deliveries have all settled (sent,
    held for the office's page, failed); return how many were queued. The caller commits.

    Called wherever a letter's delivery settles, after that outcome is committed: when two
    workers settle a letter's last two deliveries at once, each then sees both settled, and
    the receipt's dedupe key keeps it to one. A letter awaiting its moderator is not settled.
    """
    # A letter held for an office's daily digest is still to be sent.
    in_a_digest = sa.select(Target.id).where(Target.email != "", Target.wants_digest.is_(True))
    unsettled = sa.exists().where(
        Delivery.letter_id == Letter.id,
        Delivery.kind == DeliveryKind.LETTER,
        sa.or_(
            Delivery.status.in_(UNSETTLED),
            sa.and_(Delivery.status == DeliveryStatus.HELD, Delivery.target_id.in_(in_a_digest)),
        ),
    )
    queued = sa.exists().where(
        Delivery.letter_id == Letter.id, Delivery.kind == DeliveryKind.LETTER
    )
    awaits_moderator = sa.and_(Letter.flags != "", Letter.moderation != Moderation.APPROVED)
    return outbox.enqueue_select(
        _COLUMNS,
        sa.select(
            sa.literal(DeliveryKind.RECEIPT),
            sa.literal("receipt:") + sa.cast(Letter.id, sa.String),
            Signature.email,
            Signature.id,
            Letter.campaign_id,
        )
        .join(Signature, Letter.signature_id == Signature.id)
        .where(
            Letter.id.in_(letter_ids),
            Signature.status == SignatureStatus.CONFIRMED,
            Signature.email.is_not(None),
            queued,
            ~unsettled,
            ~awaits_moderator,
        ),
    )


def announce_response(response: Response) -> None:
    """Once a response is public: email each writer who asked to hear back and wrote to the
    responding office on this campaign, and tell webhooks it was posted. Not before (one
    awaiting approval may have come through a leaked link); showing it again after hiding
    announces nothing twice (the dedupe keys). The caller commits."""
    if not response.published:
        return
    _queue_response_notices(response)
    webhooks.emit(WebhookEvent.RESPONSE_POSTED, response.id, response.campaign_id)


def _queue_response_notices(response: Response) -> None:
    outbox.enqueue_select(
        _COLUMNS,
        sa.select(
            sa.literal(DeliveryKind.RESPONSE),
            sa.literal(f"response:{response.id}:") + sa.cast(Signature.id, sa.String),
            Signature.email,
            Signature.id,
            Letter.campaign_id,
        )
        .join(Signature, Letter.signature_id == Signature.id)
        .join(letter_targets, letter_targets.c.letter_id == Letter.id)
        .where(
            Letter.campaign_id == response.campaign_id,
            letter_targets.c.target_id == response.target_id,
            Letter.reply_to_ok.is_(True),
            Signature.status == SignatureStatus.CONFIRMED,
            Signature.email.is_not(None),
        ),
    )


def response_id(dedupe_key: str) -> int:
    """The response a notice is about, from its dedupe key "response:<id>:<signature>"."""
    return int(dedupe_key.split(":")[1])


def letters_of(delivery_ids: list[int]) -> sa.Select:
    """The letters these deliveries carry (for queue_receipts, in the same statement)."""
    return sa.select(Delivery.letter_id).where(
        Delivery.id.in_(delivery_ids), Delivery.kind == DeliveryKind.LETTER
    )
