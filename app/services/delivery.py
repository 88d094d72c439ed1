"""Draining the outbox: claim due deliveries, send them, record what happened."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.mail import mail_backend
from app.mail.builders import build_message
from app.mail.errors import PermanentDeliveryError, TemporaryDeliveryError
from app.models import Delivery, DeliveryStatus

log = logging.getLogger(__name__)

# A worker that dies mid-send leaves its rows leased; after this they are claimed again.
LEASE = timedelta(seconds=120)
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600


def _due(now: datetime):
    return sa.or_(
        sa.and_(Delivery.status == DeliveryStatus.QUEUED, Delivery.next_attempt_at <= now),
        sa.and_(Delivery.status == DeliveryStatus.SENDING, Delivery.leased_until < now),
    )


def claim_due(batch_size: int = 50, now: datetime | None = None) -> list[tuple[int, int]]:
    """Lease up to batch_size due deliveries to this worker; return (id, attempt) pairs.

    On PostgreSQL, FOR UPDATE SKIP LOCKED lets many workers claim disjoint rows at once.
    The UPDATE re-checks the due condition, so a row another worker took in between is
    never claimed twice (this is what keeps SQLite correct too).
    """
    now = now or utcnow()
    candidates = (
        sa.select(Delivery.id)
        .where(_due(now))
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(batch_size)
    )
    if db.engine.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(candidates))
    if not ids:
        db.session.rollback()
        return []
    claimed = db.session.execute(
        sa.update(Delivery)
        .where(Delivery.id.in_(ids), _due(now))
        .values(
            status=DeliveryStatus.SENDING,
            leased_until=now + LEASE,
            attempts=Delivery.attempts + 1,
        )
        .returning(Delivery.id, Delivery.attempts)
    ).all()
    db.session.commit()
    return sorted((row.id, row.attempts) for row in claimed)


def deliver_due(batch_size: int = 50) -> int:
    """Send one batch of due deliveries; return how many were claimed."""
    claimed = claim_due(batch_size)
    for delivery_id, attempt in claimed:
        send_claimed(delivery_id, attempt)
    return len(claimed)


def drain(max_batches: int = 1000, batch_size: int = 50) -> int:
    """Send until nothing is due (or max_batches); return how many were claimed."""
    total = 0
    for _ in range(max_batches):
        claimed = deliver_due(batch_size)
        total += claimed
        if not claimed:
            break
    return total


def send_claimed(delivery_id: int, attempt: int) -> None:
    """Build and send one claimed delivery, then record the outcome."""
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None:
        return
    message = build_message(delivery)
    if message is None:
        # Nothing to send any more (the signer withdrew, or already confirmed).
        _finish(delivery_id, attempt, status=DeliveryStatus.CANCELLED)
        return
    try:
        provider_id = mail_backend().send(message)
    except TemporaryDeliveryError as error:
        _retry_later(delivery_id, attempt, error)
    except PermanentDeliveryError as error:
        log.warning("delivery %s failed permanently: %s", delivery_id, error.reason)
        _finish(delivery_id, attempt, status=DeliveryStatus.FAILED, last_error=error.reason)
    else:
        _finish(
            delivery_id,
            attempt,
            status=DeliveryStatus.SENT,
            sent_at=utcnow(),
            provider_message_id=provider_id or "",
            last_error="",
        )


def _retry_later(delivery_id: int, attempt: int, error: TemporaryDeliveryError) -> None:
    if attempt >= MAX_ATTEMPTS:
        reason = f"gave up after {attempt} attempts: {error.reason}"
        _finish(delivery_id, attempt, status=DeliveryStatus.FAILED, last_error=reason)
        return
    delay = retry_delay(attempt, error.retry_after)
    _finish(
        delivery_id,
        attempt,
        status=DeliveryStatus.QUEUED,
        next_attempt_at=utcnow() + timedelta(seconds=delay),
        last_error=error.reason,
    )


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter, or the provider's own reset time when it gave one."""
    if retry_after is not None:
        return retry_after + random.uniform(0, 1)
    delay = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
    # Full jitter spreads retries so a recovering provider is not hit by a thundering herd.
    return random.uniform(delay / 2, delay)


def _finish(delivery_id: int, attempt: int, **values) -> None:
    """Record an outcome, only if this worker still holds the lease for this attempt."""
    db.session.execute(
        sa.update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.attempts == attempt,
            Delivery.status == DeliveryStatus.SENDING,
        )
        .values(leased_until=None, **values)
    )
    db.session.commit()
