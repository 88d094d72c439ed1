"""Streamed CSV exports of a campaign's signatures and letters, in constant memory.

Rows come from a server-side cursor (yield_per) as plain tuples, and each CSV line is
yielded as soon as it is written, so a million rows never sit in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Campaign, Letter, Organizer, Signature
from app.services import audit
from app.services.csv_safety import csv_chunks

BATCH = 2000

SIGNATURE_COLUMNS = {
    "id": Signature.id,
    "status": Signature.status,
    "name": Signature.name,
    "email": Signature.email,
    "zip": Signature.zip,
    "state": Signature.state,
    "district": Signature.district,
    "consent_updates": Signature.consent_updates,
    "review_reason": Signature.review_reason,
    "created_at": Signature.created_at,
    "confirmed_at": Signature.confirmed_at,
}
LETTER_COLUMNS = {
    "id": Letter.id,
    "signature_id": Letter.signature_id,
    "status": Signature.status,
    "name": Signature.name,
    "state": Signature.state,
    "district": Signature.district,
    "subject": Letter.subject,
    "body": Letter.body,
    "edited": Letter.edited,
    "public_comment": Letter.public_comment,
    "moderation": Letter.moderation,
    "flags": Letter.flags,
    "created_at": Letter.created_at,
}
# A cell starting with one of these runs as a formula in spreadsheet programs.


@dataclass(frozen=True)
class ExportFilter:
    status: str = ""
    state: str = ""
    since: date | None = None
    until: date | None = None


def signatures_csv(campaign: Campaign, filters: ExportFilter) -> Iterator[str]:
    """The campaign's signatures matching the filters, as CSV text in chunks."""
    query = (
        sa.select(*SIGNATURE_COLUMNS.values())
        .where(Signature.campaign_id == campaign.id, *_conditions(filters, Signature.created_at))
        .order_by(Signature.id)
    )
    return query_csv(SIGNATURE_COLUMNS, query)


def letters_csv(campaign: Campaign, filters: ExportFilter) -> Iterator[str]:
    """The campaign's letters (with their signer's status and place) as CSV text in chunks."""
    query = (
        sa.select(*LETTER_COLUMNS.values())
        .join(Signature, Letter.signature_id == Signature.id)
        .where(Letter.campaign_id == campaign.id, *_conditions(filters, Letter.created_at))
        .order_by(Letter.id)
    )
    return query_csv(LETTER_COLUMNS, query)


def record_export(
    campaign: Campaign, what: str, filters: ExportFilter, organizer: Organizer
) -> None:
    """Log who exported what, before the first byte leaves."""
    audit.record(
        organizer,
        "export",
        campaign,
        what=what,
        status=filters.status,
        state=filters.state,
        since=filters.since.isoformat() if filters.since else "",
        until=filters.until.isoformat() if filters.until else "",
    )
    db.session.commit()


def _conditions(filters: ExportFilter, created_at: sa.ColumnElement) -> list:
    conditions = []
    if filters.status:
        conditions.append(Signature.status == filters.status)
    if filters.state:
        conditions.append(Signature.state == filters.state.upper())
    if filters.since:
        conditions.append(created_at >= datetime.combine(filters.since, datetime.min.time()))
    if filters.until:
        conditions.append(created_at <= datetime.combine(filters.until, datetime.max.time()))
    return conditions


def query_csv(columns: dict, query: sa.Select) -> Iterator[str]:
    """Stream a query's rows as CSV under the columns' names, from a server-side cursor.

    A generator, so the query runs only once the response streams: by then the view has
    committed (the audit event), which would close a cursor opened earlier.
    """
    rows = db.session.execute(query.execution_options(yield_per=BATCH))
    yield from csv_chunks(columns, rows.partitions())
