"""Test data the shared factories do not make: letters and their deliveries."""

from __future__ import annotations

from app.extensions import db
from app.models import Delivery, DeliveryKind, DeliveryStatus, Letter, Signature, Target


def make_letter(signature: Signature, **fields) -> Letter:
    values = {
        "signature_id": signature.id,
        "campaign_id": signature.campaign_id,
        "subject": "Please act",
        "body": "Dear representative, please act.",
    }
    values.update(fields)
    letter = Letter(**values)
    db.session.add(letter)
    db.session.commit()
    return letter


def make_delivery(letter: Letter, target: Target, status: str = DeliveryStatus.QUEUED) -> Delivery:
    delivery = Delivery(
        kind=DeliveryKind.LETTER,
        dedupe_key=f"letter:{letter.id}:{target.id}",
        campaign_id=letter.campaign_id,
        signature_id=letter.signature_id,
        letter_id=letter.id,
        target_id=target.id,
        recipient=target.email,
        status=status,
    )
    db.session.add(delivery)
    db.session.commit()
    return delivery
