"""The outbox: Delivery rows written in the caller's transaction, and what operators ask of it.

This module is the one writer of new Delivery rows: enqueue and enqueue_new add one,
enqueue_select many, and insert_from builds the outbox half of a caller's one-statement
insert (signing on PostgreSQL).

Workers are told about new rows only after the transaction that wrote them commits (an
after_commit hook on the session): a worker can never look for a row that is not there
yet, and a rolled-back signature never sends an email. Every statement that writes
deliveries notes it in the session (enqueue, enqueue_new, or note_new_rows beside a
statement of the caller's own), so this one hook covers them all; a statement that commits
by itself (a signature on PostgreSQL) calls tell_workers directly. If telling the workers
fails (the broker is down), the periodic sweep still finds the row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.database import insert
from app.extensions import db
from app.models import Delivery, DeliveryChannel, DeliveryKind, DeliveryStatus
from app.services.unit_of_work import unit_of_work

log = logging.getLogger(__name__)

_NEW_ROWS = "chorus_outbox_new_rows"
_LISTENERS = "chorus_outbox_listeners"


def enqueue(kind: str, dedupe_key: str, recipient: str, **refs) -> Delivery | None:
    """Add a Delivery to the session unless one with this dedupe key exists already.

    The caller commits: the row must land in the same transaction as whatever caused it.
    Addresses on the suppression list are found when the row is sent (one look-up for a
    whole batch there, none here on the signing path) and marked suppressed then.
    """
    existing = db.session.scalar(sa.select(Delivery.id).where(Delivery.dedupe_key == dedupe_key))
    if existing is not None:
        return None
    delivery = Delivery(**_new_row(kind, dedupe_key, recipient, refs))
    db.session.add(delivery)
    note_new_rows()
    return delivery


def enqueue_new(kind: str, dedupe_key: str, recipient: str, **refs) -> None:
    """Insert a Delivery whose dedupe key names a row this transaction just created.

    No delivery can have that key yet, so there is nothing to look up, and one INSERT
    statement (no ORM object) keeps the signing hot path short. The caller commits.
    """
    row = _new_row(kind, dedupe_key, recipient, refs)
    db.session.connection().execute(Delivery.__table__.insert(), row)
    note_new_rows()


def enqueue_select(columns: list[str], rows: sa.Select) -> int:
    """Insert the deliveries a SELECT yields, skipping any whose dedupe key exists already
    (queued by another request at the same moment, too); return how many were added. The
    caller commits."""
    added = db.session.execute(
        insert(Delivery)
        # SQLite parses "SELECT ... ON CONFLICT" only with a WHERE clause before it.
        .from_select(columns, rows.where(sa.true()))
        .on_conflict_do_nothing(index_elements=["dedupe_key"]),
        execution_options={"preserve_rowcount": True},  # an INSERT's count is not kept unasked
    ).rowcount
    note_new_rows()
    return added


def insert_from(
    source: sa.CTE, kind: str, dedupe_key: sa.ColumnElement, recipient: sa.ColumnElement, **refs
) -> sa.Insert:
    """An INSERT of one Delivery per row of source (a caller's data-modifying CTE), returning
    their signature_id: the caller's rows and their deliveries become one statement.

    Its values are SQL expressions over source; the time is the bound parameter "now".
    Whoever runs it tells the workers (tell_workers, or note_new_rows before its commit).
    """
    now = sa.bindparam("now", type_=sa.DateTime)
    values = {
        "kind": sa.literal(kind),
        "dedupe_key": dedupe_key,
        "channel": sa.literal(DeliveryChannel.EMAIL),
        "recipient": recipient,
        "status": sa.literal(DeliveryStatus.QUEUED),
        "attempts": sa.literal(0),
        "next_attempt_at": now,
        "last_error": sa.literal(""),
        "provider_message_id": sa.literal(""),
        "created_at": now,
        "updated_at": now,
        **refs,
    }
    table = Delivery.__table__
    return (
        sa.insert(table)
        .from_select(list(values), sa.select(*values.values()), include_defaults=False)
        .returning(table.c.signature_id)
    )


def note_new_rows() -> None:
    """Have the session's next commit tell the workers: for every statement that writes
    deliveries to send (enqueue and enqueue_new do it themselves)."""
    db.session.info[_NEW_ROWS] = True


def _new_row(kind: str, dedupe_key: str, recipient: str, refs: dict) -> dict:
    return dict(
        kind=kind,
        dedupe_key=dedupe_key,
        recipient=recipient,
        status=DeliveryStatus.QUEUED,
        next_attempt_at=utcnow(),
        **refs,
    )


def forget_signers(signature_ids: list[int] | sa.Select) -> None:
    """Cancel withdrawn or erased signers' unsent mail and erase their addresses from every
    email sent to them, in the caller's transaction.

    Rows a worker has claimed are cancelled too: it checks each row is still its own just
    before sending (sending._still_held). The provider's error text may quote the address,
    so it goes as well; a letter's row holds the representative's address, which stays.
    """
    unsent = (DeliveryStatus.QUEUED, DeliveryStatus.HELD, DeliveryStatus.SENDING)
    theirs = Delivery.signature_id.in_(signature_ids)
    db.session.execute(
        sa.update(Delivery)
        .where(theirs, Delivery.status.in_(unsent))
        .values(status=DeliveryStatus.CANCELLED, leased_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(Delivery)
        # A webhook's recipient is its endpoint, not the signer.
        .where(
            theirs,
            Delivery.kind != DeliveryKind.LETTER,
            Delivery.channel == DeliveryChannel.EMAIL,
        )
        .values(recipient="", last_error="")
        .execution_options(synchronize_session=False)
    )


def on_new_deliveries(app: Flask, listener: Callable[[], None]) -> None:
    """Call listener after every commit that added deliveries to send (wake a worker)."""
    app.extensions.setdefault(_LISTENERS, []).append(listener)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_NEW_ROWS, False) and has_app_context():
        tell_workers()


def tell_workers() -> None:
    """Tell the workers that committed deliveries wait (enqueue's commits do it themselves)."""
    for listener in current_app.extensions.get(_LISTENERS, ()):
        try:
            listener()
        except Exception:  # the sweep picks the rows up; a commit must not fail for this
            log.warning("could not tell the workers about new deliveries", exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget_new_rows(session: Session) -> None:
    session.info.pop(_NEW_ROWS, None)


@dataclass(frozen=True)
class OutboxStatus:
    """What an operator wants to know about the outbox at a glance."""

    counts: dict[tuple[str, str], int]
    by_channel: dict[tuple[str, str], int]
    due: int
    oldest_due_at: datetime | None


def status() -> OutboxStatus:
    """Counts by (status, kind) and by (channel, status), how many are due now, and since
    when the oldest waits."""
    now = utcnow()
    rows = db.session.execute(
        sa.select(
            Delivery.channel, Delivery.status, Delivery.kind, sa.func.count().label("n")
        ).group_by(Delivery.channel, Delivery.status, Delivery.kind)
    ).all()
    counts: dict[tuple[str, str], int] = {}
    by_channel: dict[tuple[str, str], int] = {}
    for row in rows:
        counts[(row.status, row.kind)] = counts.get((row.status, row.kind), 0) + row.n
        by_channel[(row.channel, row.status)] = by_channel.get((row.channel, row.status), 0) + row.n
    due = sa.or_(
        sa.and_(Delivery.status == DeliveryStatus.QUEUED, Delivery.next_attempt_at <= now),
        sa.and_(Delivery.status == DeliveryStatus.SENDING, Delivery.leased_until < now),
    )
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(Delivery.next_attempt_at)).where(due)
    ).one()
    return OutboxStatus(counts=counts, by_channel=by_channel, due=row[0], oldest_due_at=row[1])


def retry_failed(since: datetime | None = None) -> int:
    """Queue failed deliveries again (those that failed since `since`); return how many.

    Their attempts start over; suppressed addresses stay suppressed when they are sent.
    """
    condition = Delivery.status == DeliveryStatus.FAILED
    if since is not None:
        condition = sa.and_(condition, Delivery.updated_at >= since)
    with unit_of_work():
        changed = db.session.execute(
            sa.update(Delivery)
            .where(condition)
            .values(status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            note_new_rows()
    return changed
