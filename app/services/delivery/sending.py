"""Draining the outbox: claim due deliveries, send them, record what happened.

A round reads top to bottom: claim due rows (claim_due), ask each row's channel for what
to send (channels.compose; email is composed in composing.py), hand it to the channel's
adapter (channels.adapter), record the outcome.

Every worker runs these same functions: the embedded thread of `make run`,
`flask deliver [--watch]` and the Celery tasks. The Delivery row is the source of truth;
a claim is a lease (leased_until) fenced by the attempt number, so a worker that died or
stalled can never overwrite the outcome of the worker that took its row over.
"""

from __future__ import annotations

import logging
import random
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from app import database
from app.clock import utcnow
from app.extensions import db
from app.mail.backends import BatchMessage
from app.mail.errors import PermanentDeliveryError, TemporaryDeliveryError
from app.mail.message import HeaderInjection
from app.models import (
    Delivery,
    DeliveryChannel,
    DeliveryKind,
    DeliveryStatus,
    Signature,
    Suppression,
    WebhookEvent,
)
from app.services.delivery import channels, composing, digests, webhooks
from app.services.letters import receipts
from app.services.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

# Where provider events may have moved a row before its sender recorded "sent".
AFTER_SEND = (
    DeliveryStatus.SENT,
    DeliveryStatus.DELIVERED,
    DeliveryStatus.DEFERRED,
    DeliveryStatus.BOUNCED,
    DeliveryStatus.DROPPED,
    DeliveryStatus.SPAM,
)
_ERROR_LENGTH = 1000


@dataclass(frozen=True)
class Claim:
    """A leased delivery; attempt is the fencing token for recording its outcome."""

    id: int
    attempt: int
    leased_until: datetime


@dataclass
class Round:
    """What one round of sending did, for logs, the CLI and the workers' pacing."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    released: int = 0
    # A temporary error ended the round early: the provider is likely down or limiting us.
    stopped: bool = False

    def add(self, other: Round) -> None:
        for name in ("claimed", "sent", "retrying", "failed", "skipped", "released"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.stopped = other.stopped


@dataclass
class _Unit:
    """One request to a channel's adapter: a single payload, or an email batch for many rows."""

    claims: list[Claim]
    message: object
    adapter: channels.Adapter
    kinds: dict[int, str] = field(default_factory=dict)


def _due(now: datetime):
    return sa.or_(
        sa.and_(Delivery.status == DeliveryStatus.QUEUED, Delivery.next_attempt_at <= now),
        sa.and_(Delivery.status == DeliveryStatus.SENDING, Delivery.leased_until < now),
    )


def claim_due(batch_size: int | None = None, now: datetime | None = None) -> list[Claim]:
    """Lease up to batch_size due deliveries to this worker, oldest due first.

    One statement: on PostgreSQL the inner SELECT ... FOR UPDATE SKIP LOCKED lets many
    workers claim disjoint rows at once; the outer WHERE re-checks the due condition, so
    a row another worker took in between is never claimed twice (SQLite serialises writers).
    """
    now = now or utcnow()
    config = current_app.config
    candidates = (
        sa.select(Delivery.id)
        .where(_due(now))
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(batch_size or config["DELIVERY_BATCH_SIZE"])
    )
    with unit_of_work():
        rows = db.session.execute(
            sa.update(Delivery)
            .where(Delivery.id.in_(database.skip_locked(candidates).scalar_subquery()), _due(now))
            .values(
                status=DeliveryStatus.SENDING,
                leased_until=now + timedelta(seconds=config["DELIVERY_LEASE_SECONDS"]),
                attempts=Delivery.attempts + 1,
            )
            .returning(
                Delivery.id, Delivery.attempts, Delivery.next_attempt_at, Delivery.leased_until
            )
            .execution_options(synchronize_session=False)
        ).all()
    rows.sort(key=lambda row: (row.next_attempt_at, row.id))
    return [Claim(row.id, row.attempts, row.leased_until) for row in rows]


def deliver_due(batch_size: int | None = None) -> Round:
    """Claim one batch of due deliveries and send it."""
    claims = claim_due(batch_size)
    result = Round(claimed=len(claims))
    if claims:
        send_claims(claims, result)
    return result


def send_all_due(max_rounds: int = 1000, batch_size: int | None = None) -> Round:
    """Send until nothing is due, or until a temporary error says to pause."""
    total = Round()
    for _ in range(max_rounds):
        result = deliver_due(batch_size)
        total.add(result)
        if not result.claimed or result.stopped:
            break
    return total


def drain(max_rounds: int = 1000, batch_size: int | None = None) -> int:
    """Send until nothing is due (see send_all_due); return how many rows were processed."""
    return send_all_due(max_rounds, batch_size).claimed


def count_due(now: datetime | None = None) -> int:
    """How many deliveries a worker could claim right now."""
    return db.session.scalar(sa.select(sa.func.count()).where(_due(now or utcnow()))) or 0


def send_claims(claims: list[Claim], result: Round) -> None:
    """Send claimed deliveries in due order; after a temporary error, release the rest.

    Stopping at the first temporary error keeps a down or rate-limiting provider from being
    hammered and keeps every unsent row in its place in the line. A send is only started
    if it can finish (or time out) before the lease ends: past that, another worker may
    already be sending the same row.
    """
    units = deque(_plan(claims, result))
    send_timeout = timedelta(seconds=current_app.config["MAIL_SEND_TIMEOUT"])
    while units:
        unit = _still_held(units.popleft())
        if unit is None:
            continue
        if utcnow() + send_timeout >= min(claim.leased_until for claim in unit.claims):
            units.appendleft(unit)
            result.released += _release([claim for later in units for claim in later.claims])
            result.stopped = True
            return
        try:
            provider_id = unit.adapter.send(unit.message)
        except TemporaryDeliveryError as error:
            _retry_later(unit.claims, error, result)
            _settled(unit.claims, unit.kinds)  # the last attempt fails for good
            result.released += _release([claim for later in units for claim in later.claims])
            result.stopped = True
            return
        except PermanentDeliveryError as error:
            if isinstance(unit.message, BatchMessage) and len(unit.claims) > 1:
                # One bad address rejects a whole batch: send each alone, next, to find it,
                # under the same lease and stop-on-error rules as everything else.
                units.extendleft(reversed(_one_by_one(unit)))
                continue
            log.warning("deliveries %s failed: %s", [c.id for c in unit.claims], error.reason)
            result.failed += _record(unit.claims, status=DeliveryStatus.FAILED, error=error.reason)
        else:
            result.sent += _record_sent(unit, provider_id)
        _settled(unit.claims, unit.kinds)


def _still_held(unit: _Unit) -> _Unit | None:
    """The unit without the rows taken from this worker since it was planned (a signer who
    withdrew cancels their mail, even mid-batch); None if nothing is left to send."""
    held = set(
        db.session.scalars(
            sa.select(Delivery.id).where(
                _fenced(unit.claims), Delivery.status == DeliveryStatus.SENDING
            )
        )
    )
    db.session.rollback()  # no transaction stays open while the provider is talking
    if len(held) == len(unit.claims):
        return unit
    if not held:
        return None
    # Only a batch holds more than one row.
    assert isinstance(unit.message, BatchMessage)
    kept = [
        (claim, recipient)
        for claim, recipient in zip(unit.claims, unit.message.recipients, strict=True)
        if claim.id in held
    ]
    return _Unit(
        [claim for claim, _ in kept],
        BatchMessage(unit.message.template, [recipient for _, recipient in kept]),
        unit.adapter,
        unit.kinds,
    )


def _one_by_one(unit: _Unit) -> list[_Unit]:
    """A batch split into one unit per recipient."""
    assert isinstance(unit.message, BatchMessage)
    template = unit.message.template
    return [
        _Unit([claim], BatchMessage(template, [recipient]), unit.adapter, unit.kinds)
        for claim, recipient in zip(unit.claims, unit.message.recipients, strict=True)
    ]


def _plan(claims: list[Claim], result: Round) -> list[_Unit]:
    """Compose what to send for each claim; settle the ones with nothing to send.

    Messages are composed before any request goes out, and the read transaction ends here,
    so no database transaction stays open while a slow provider is talking. A message that
    cannot be composed fails (or waits) alone: the round goes on without it.
    """
    config = current_app.config
    deliveries = _load([claim.id for claim in claims])
    suppressed = _suppressed(
        d.recipient.lower()
        for d in deliveries.values()
        if d.channel == DeliveryChannel.EMAIL and d.recipient
    )
    adapters: dict[str, channels.Adapter] = {}
    units: list[_Unit] = []
    batches: dict[tuple[int, str], _Unit] = {}
    settled: dict[str, list[Claim]] = {}
    errors: dict[str, str] = {}
    unbuildable: dict[str, list[Claim]] = {}
    for claim in claims:
        delivery = deliveries.get(claim.id)
        if delivery is None:
            continue
        if claim.attempt > config["DELIVERY_MAX_ATTEMPTS"]:
            # Its lease expired that often: a send that kills its worker must not loop forever.
            settled.setdefault(DeliveryStatus.FAILED, []).append(claim)
            errors[DeliveryStatus.FAILED] = "gave up: the worker stopped during every attempt"
            continue
        if delivery.channel == DeliveryChannel.EMAIL and delivery.recipient.lower() in suppressed:
            settled.setdefault(DeliveryStatus.SUPPRESSED, []).append(claim)
            continue
        try:
            if delivery.channel not in adapters:
                adapters[delivery.channel] = channels.adapter(delivery.channel)
            unit = _compose(claim, delivery, adapters[delivery.channel], batches)
        except HeaderInjection as error:
            # Bad data (a control character in a title, say): resending cannot help. Its
            # reason goes through DeliveryError, which keeps addresses out of it.
            reason = PermanentDeliveryError(f"could not build the message: {error}").reason
            unbuildable.setdefault(reason, []).append(claim)
            continue
        except Exception:
            # A template or data bug (or a channel this worker does not know yet): keep the
            # row and retry, so a fix deployed later sends it.
            log.exception("could not build delivery %s", delivery.id)
            _retry_later([claim], TemporaryDeliveryError("could not build the message"), result)
            continue
        if unit is None:
            settled.setdefault(DeliveryStatus.CANCELLED, []).append(claim)
        elif unit.claims[0] is claim:  # a new unit, not a batch planned already
            units.append(unit)
    for status, settled_claims in settled.items():
        recorded = _record(settled_claims, status=status, error=errors.get(status, ""))
        if status == DeliveryStatus.FAILED:
            result.failed += recorded
        else:
            result.skipped += recorded
    for reason, failed_claims in unbuildable.items():
        log.warning("deliveries %s failed: %s", [c.id for c in failed_claims], reason)
        result.failed += _record(failed_claims, status=DeliveryStatus.FAILED, error=reason)
    kinds = {claim_id: delivery.kind for claim_id, delivery in deliveries.items()}
    _settled([c for group in (*settled.values(), *unbuildable.values()) for c in group], kinds)
    db.session.rollback()
    return units


def _compose(
    claim: Claim,
    delivery: Delivery,
    adapter: channels.Adapter,
    batches: dict[tuple[int, str], _Unit],
) -> _Unit | None:
    """The unit that sends this delivery (a batch it joined, perhaps), or None when there is
    nothing to send any more."""
    batched = None
    if adapter.max_batch and delivery.kind == DeliveryKind.CONFIRMATION:
        batched = composing.confirmation_recipient(delivery)
    if batched is None:
        message = channels.compose(delivery)
        if message is None:
            return None
        return _Unit([claim], message, adapter, {claim.id: delivery.kind})
    key, recipient = batched
    batch = batches.get(key)
    if batch is None or len(batch.claims) >= adapter.max_batch:
        template = composing.confirmation_template(key)
        batch = batches[key] = _Unit([], BatchMessage(template, []), adapter)
    batch.claims.append(claim)
    batch.message.recipients.append(recipient)
    batch.kinds[claim.id] = delivery.kind
    return batch


def _load(ids: list[int]) -> dict[int, Delivery]:
    deliveries = db.session.scalars(sa.select(Delivery).where(Delivery.id.in_(ids))).all()
    signature_ids = [d.signature_id for d in deliveries if d.signature_id]
    if signature_ids:
        # Load the signers (and their letters) in two queries rather than two per row.
        db.session.scalars(
            sa.select(Signature)
            .where(Signature.id.in_(signature_ids))
            .options(so.selectinload(Signature.letter), so.selectinload(Signature.campaign))
        ).all()
    return {delivery.id: delivery for delivery in deliveries}


def _suppressed(emails: Iterable[str]) -> set[str]:
    emails = list(emails)
    if not emails:
        return set()
    query = sa.select(Suppression.email).where(Suppression.email.in_(emails))
    return set(db.session.scalars(query))


def _retry_later(claims: list[Claim], error: TemporaryDeliveryError, result: Round) -> None:
    config = current_app.config
    give_up = [c for c in claims if c.attempt >= config["DELIVERY_MAX_ATTEMPTS"]]
    again = [c for c in claims if c.attempt < config["DELIVERY_MAX_ATTEMPTS"]]
    if give_up:
        reason = f"gave up after {config['DELIVERY_MAX_ATTEMPTS']} attempts: {error.reason}"
        result.failed += _record(give_up, status=DeliveryStatus.FAILED, error=reason)
    for claim in again:
        delay = retry_delay(
            claim.attempt,
            error.retry_after,
            base=config["DELIVERY_BACKOFF_SECONDS"],
            cap=config["DELIVERY_BACKOFF_MAX_SECONDS"],
        )
        result.retrying += _record(
            [claim],
            status=DeliveryStatus.QUEUED,
            error=error.reason,
            next_attempt_at=utcnow() + timedelta(seconds=delay),
        )


def retry_delay(
    attempt: int, retry_after: float | None = None, base: float = 30, cap: float = 3600
) -> float:
    """Seconds to wait before the next attempt: the provider's reset time if it gave one,
    else exponential backoff with jitter."""
    if retry_after is not None:
        # A small jitter, so every worker does not return in the same millisecond.
        return retry_after + random.uniform(0, 1)
    delay = min(cap, base * 2 ** (attempt - 1))
    # Jitter spreads retries so a recovering provider is not hit by a thundering herd.
    return random.uniform(delay / 2, delay)


def _commit_outcome() -> None:
    """Commit a recorded outcome without waiting for the disk.

    Outcomes are committed one send at a time (so a killed worker re-sends at most the one
    in flight), and waiting for each WAL flush would cap a worker at the disk's fsync rate.
    Only a database crash can lose such a commit, and then the row is merely sent again.
    """
    database.commit_without_waiting_for_disk()


def _fenced(claims: list[Claim]):
    return sa.tuple_(Delivery.id, Delivery.attempts).in_([(c.id, c.attempt) for c in claims])


def _record(claims: list[Claim], status: str, error: str = "", **values) -> int:
    """Record an outcome for the claims this worker still holds; return how many."""
    if not claims:
        return 0
    changed = db.session.execute(
        sa.update(Delivery)
        .where(_fenced(claims), Delivery.status == DeliveryStatus.SENDING)
        .values(status=status, leased_until=None, last_error=error[:_ERROR_LENGTH], **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    _commit_outcome()
    return changed


def _record_sent(unit: _Unit, provider_id: str | None) -> int:
    """Mark a sent unit's rows sent (or keep what a provider event already said)."""
    now = utcnow()
    rows = db.session.execute(
        sa.update(Delivery)
        .where(
            _fenced(unit.claims),
            Delivery.status.in_((DeliveryStatus.SENDING, *AFTER_SEND)),
        )
        .values(
            status=sa.case(
                (Delivery.status == DeliveryStatus.SENDING, DeliveryStatus.SENT),
                else_=Delivery.status,
            ),
            leased_until=None,
            sent_at=now,
            last_error="",
            provider_message_id=provider_id or "",
        )
        .returning(Delivery.id, Delivery.dedupe_key, Delivery.campaign_id)
        .execution_options(synchronize_session=False)
    ).all()
    carried = []
    for row in rows:
        if unit.kinds.get(row.id) == DeliveryKind.DIGEST:
            carried += digests.mark_letters_sent(row.dedupe_key, now)
        elif unit.kinds.get(row.id) == DeliveryKind.LETTER:
            webhooks.emit(WebhookEvent.LETTER_DELIVERED, row.id, row.campaign_id)
    _commit_outcome()
    if carried:
        _queue_receipts(carried)
    return len(rows)


def _settled(claims: list[Claim], kinds: dict[int, str]) -> None:
    """Queue the receipt of each letter whose last delivery these just settled.

    After their outcomes are committed, so that of two workers settling one letter's last
    deliveries at once, at least the later one sees them all settled (receipts.py).
    """
    letter_rows = [claim.id for claim in claims if kinds.get(claim.id) == DeliveryKind.LETTER]
    if letter_rows:
        _queue_receipts(receipts.letters_of(letter_rows))


def _queue_receipts(letters: list[int] | sa.Select) -> None:
    with unit_of_work():
        receipts.queue_receipts(letters)


def _release(claims: list[Claim]) -> int:
    """Give unsent claims back, in their place in line and without using up an attempt.

    Safe with fencing: only this worker's own claim is undone, so a stale worker's attempt
    number can never match a row someone else holds.
    """
    if not claims:
        return 0
    with unit_of_work():
        released = db.session.execute(
            sa.update(Delivery)
            .where(_fenced(claims), Delivery.status == DeliveryStatus.SENDING)
            .values(status=DeliveryStatus.QUEUED, leased_until=None, attempts=Delivery.attempts - 1)
            .execution_options(synchronize_session=False)
        ).rowcount
    return released
