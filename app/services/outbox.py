"""Writing to the outbox: a Delivery row per email, in the caller's transaction."""

from __future__ import annotations

import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.models import Delivery, DeliveryStatus, Suppression


def enqueue(kind: str, dedupe_key: str, to_email: str, **refs) -> Delivery | None:
    """Add a Delivery to the session unless one with this dedupe key exists already.

    The caller commits: the row must land in the same transaction as whatever caused it.
    Addresses on the suppression list are recorded as suppressed and never sent.
    """
    existing = db.session.scalar(sa.select(Delivery).where(Delivery.dedupe_key == dedupe_key))
    if existing is not None:
        return None
    status = DeliveryStatus.QUEUED
    if to_email and is_suppressed(to_email):
        status = DeliveryStatus.SUPPRESSED
    delivery = Delivery(
        kind=kind,
        dedupe_key=dedupe_key,
        to_email=to_email,
        status=status,
        next_attempt_at=utcnow(),
        **refs,
    )
    db.session.add(delivery)
    return delivery


def is_suppressed(email: str) -> bool:
    return (
        db.session.scalar(sa.select(Suppression.id).where(Suppression.email == email.lower()))
        is not None
    )
