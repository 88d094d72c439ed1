"""Letters: queueing one delivery per (letter, target) once the signer has confirmed."""

from __future__ import annotations

from app.models import DeliveryKind, DeliveryStatus, Letter
from app.services import outbox


def queue_letter(letter: Letter) -> None:
    """Add one Delivery per target of a confirmed letter, in the caller's transaction.

    A target without a delivery address (or taking a daily digest) keeps the letter as
    held, for its private page, printed packet or digest. Addresses are never invented.
    """
    for target in letter.targets:
        delivery = outbox.enqueue(
            DeliveryKind.LETTER,
            f"letter:{letter.id}:{target.id}",
            target.email,
            campaign_id=letter.campaign_id,
            signature_id=letter.signature_id,
            letter_id=letter.id,
            target_id=target.id,
        )
        if delivery is not None and (not target.email or target.wants_digest):
            delivery.status = DeliveryStatus.HELD
