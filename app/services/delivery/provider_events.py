"""SendGrid's Event Webhook: verify a signed batch of events and apply it to the outbox once.

SendGrid signs each POST with ECDSA (P-256, SHA-256) over the timestamp header followed by
the raw body. A batch is applied in a handful of statements whatever its size, and every
event id is stored, so a batch SendGrid posts twice changes nothing the second time.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sendgrid.helpers.eventwebhook import EventWebhook
from sendgrid.helpers.eventwebhook.eventwebhook_header import EventWebhookHeader

from app import clock
from app.clock import utcnow
from app.database import insert
from app.extensions import db
from app.models import Delivery, DeliveryStatus, ProviderEvent, Suppression
from app.services.unit_of_work import unit_of_work

SIGNATURE_HEADER = EventWebhookHeader.SIGNATURE
TIMESTAMP_HEADER = EventWebhookHeader.TIMESTAMP

S = DeliveryStatus
# Each event's new status, and the statuses it may replace. Events arrive out of order
# (a "deferred" after "delivered"), so a later-stage status is never walked back; a row
# still "sending" can be moved, because SendGrid may report before the sender records it.
TRANSITIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "deferred": (S.DEFERRED, (S.SENDING, S.SENT)),
    "delivered": (S.DELIVERED, (S.SENDING, S.SENT, S.DEFERRED)),
    "dropped": (S.DROPPED, (S.SENDING, S.SENT, S.DEFERRED)),
    "bounce": (S.BOUNCED, (S.SENDING, S.SENT, S.DEFERRED, S.DELIVERED)),
    "spamreport": (S.SPAM, (S.SENDING, S.SENT, S.DEFERRED, S.DELIVERED, S.BOUNCED)),
}
# Applied in this order, so a batch holding several events for one row ends in the last stage.
_ORDER = ["deferred", "delivered", "dropped", "bounce", "spamreport"]
# Statuses whose reason is worth showing to organizers (one UPDATE per event; they are rare).
_WITH_REASON = {"dropped", "bounce"}


class WebhookRejected(Exception):
    """The request is not a genuine, fresh SendGrid event batch."""


def verify_signature(
    public_key: str, body: bytes, signature: str, timestamp: str, max_age: int
) -> None:
    """Raise WebhookRejected unless body was signed by SendGrid within max_age seconds."""
    if not public_key:
        raise WebhookRejected("no SENDGRID_WEBHOOK_PUBLIC_KEY is configured")
    try:
        signed_at = int(timestamp)
    except ValueError as error:
        raise WebhookRejected("missing or malformed timestamp") from error
    # A captured request replayed later carries an old timestamp (the signature covers it).
    if abs(clock.timestamp() - signed_at) > max_age:
        raise WebhookRejected("stale timestamp")
    try:
        key = EventWebhook().convert_public_key_to_ecdsa(public_key)
        decoded = base64.b64decode(signature, validate=True)
        # Verified over the raw bytes, exactly as received (no decode/encode round trip).
        key.verify(decoded, timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, binascii.Error, ValueError) as error:
        raise WebhookRejected("bad signature") from error


def parse_events(body: bytes) -> list[dict[str, Any]]:
    """The JSON array of events in a webhook body."""
    try:
        events = json.loads(body)
    except ValueError as error:
        raise WebhookRejected("body is not JSON") from error
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise WebhookRejected("body is not a list of events")
    return events


@dataclass
class Applied:
    """What a batch of events did."""

    received: int = 0
    new: int = 0
    duplicates: int = 0
    ignored: int = 0
    changed: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Event:
    event_id: str
    kind: str
    delivery_id: int | None
    email: str
    reason: str
    suppress: bool


def apply_events(events: list[dict[str, Any]]) -> Applied:
    """Move deliveries to delivered/deferred/bounced/dropped/spam_reported; suppress
    addresses that hard-bounced or reported spam; ignore events already applied."""
    result = Applied(received=len(events))
    wanted = [
        e
        for e in events
        if isinstance(e.get("event"), str) and e["event"] in TRANSITIONS and e.get("sg_event_id")
    ]
    result.ignored = len(events) - len(wanted)
    if not wanted:
        return result
    with unit_of_work():
        parsed = _resolve(wanted)
        new_ids = _store(parsed)
        fresh = [e for e in parsed if e.event_id in new_ids]
        result.new = len(fresh)
        result.duplicates = len(parsed) - len(fresh)
        by_kind: dict[str, list[_Event]] = defaultdict(list)
        for event in fresh:
            if event.delivery_id is not None:
                by_kind[event.kind].append(event)
        for kind in _ORDER:
            if by_kind[kind]:
                result.changed[kind] = _transition(kind, by_kind[kind])
        _suppress([e for e in fresh if e.suppress and e.email])
    return result


def _resolve(events: list[dict[str, Any]]) -> list[_Event]:
    """Find each event's delivery: by our custom arg, else by SendGrid's message id."""
    by_message: dict[tuple[str, str], int] = {}
    prefixes = {
        str(e.get("sg_message_id", "")).split(".")[0]
        for e in events
        if not _custom_delivery_id(e) and e.get("sg_message_id")
    }
    if prefixes:
        rows = db.session.execute(
            sa.select(Delivery.id, Delivery.provider_message_id, Delivery.recipient).where(
                Delivery.provider_message_id.in_(prefixes)
            )
        )
        # A batched request shares one message id: the address tells its rows apart.
        by_message = {(r.provider_message_id, r.recipient.lower()): r.id for r in rows}
    claimed = {_custom_delivery_id(e) for e in events} - {None}
    # Each claimed delivery's address: an event naming another address suppresses nothing.
    addressed = {
        row.id: row.recipient
        for row in (
            db.session.execute(
                sa.select(Delivery.id, Delivery.recipient).where(Delivery.id.in_(claimed))
            )
            if claimed
            else []
        )
    }
    parsed = []
    seen: set[str] = set()
    for e in events:
        event_id = str(e["sg_event_id"])[:120]
        if event_id in seen:
            continue
        seen.add(event_id)
        email = str(e.get("email", "")).strip().lower()
        delivery_id = _custom_delivery_id(e)
        if delivery_id is None:
            prefix = str(e.get("sg_message_id", "")).split(".")[0]
            delivery_id = by_message.get((prefix, email))
        elif delivery_id not in addressed:
            delivery_id = None
        kind = e["event"]
        # "blocked" bounces are the receiving server refusing for now, not a dead address.
        suppress = kind == "spamreport" or (kind == "bounce" and e.get("type") != "blocked")
        if delivery_id in addressed and addressed[delivery_id].lower() != email:
            suppress = False
        reason = str(e.get("reason") or e.get("response") or e.get("type") or kind)
        parsed.append(_Event(event_id, kind, delivery_id, email, reason, suppress))
    return parsed


def _custom_delivery_id(event: dict[str, Any]) -> int | None:
    try:
        return int(event.get("delivery_id"))  # custom_args arrive as top-level keys
    except (TypeError, ValueError):
        return None


def _store(events: list[_Event]) -> set[str]:
    """Record the events; return the ids that were not recorded before."""
    now = utcnow()
    rows = [
        {"event_id": e.event_id, "delivery_id": e.delivery_id, "event": e.kind, "received_at": now}
        for e in events
    ]
    inserted = db.session.execute(
        insert(ProviderEvent)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(ProviderEvent.event_id),
        rows,
    )
    return set(inserted.scalars())


def _transition(kind: str, events: list[_Event]) -> int:
    status, allowed = TRANSITIONS[kind]
    if kind in _WITH_REASON:
        changed = 0
        for event in events:
            changed += _update([event.delivery_id], status, allowed, last_error=event.reason[:1000])
        return changed
    return _update([e.delivery_id for e in events], status, allowed)


def _update(ids: list[int | None], status: str, allowed: tuple[str, ...], **values) -> int:
    return db.session.execute(
        sa.update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.status.in_(allowed))
        .values(status=status, **values)
        .execution_options(synchronize_session=False)
    ).rowcount


def _suppress(events: list[_Event]) -> None:
    if not events:
        return
    rows = {e.email: {"email": e.email, "reason": e.kind, "created_at": utcnow()} for e in events}
    db.session.execute(
        insert(Suppression).on_conflict_do_nothing(index_elements=["email"]),
        list(rows.values()),
    )
