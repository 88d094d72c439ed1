"""Streamed CSV exports of a campaign's signatures and letters, in constant memory.

Rows come from a server-side cursor (yield_per) as plain tuples, and each CSV line is
yielded as soon as it is written, so a million rows never sit in memory at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import Campaign, Letter, Organizer, Signature
from app.services import audit
from app.services.campaigns.editing import CampaignError, to_utc
from app.services.csv_safety import csv_chunks
from app.services.unit_of_work import unit_of_work

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
    "created_at_utc": Signature.created_at,
    "confirmed_at_utc": Signature.confirmed_at,
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
    "created_at_utc": Letter.created_at,
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
        .where(
            Signature.campaign_id == campaign.id,
            *_conditions(filters, Signature.created_at, campaign.timezone),
        )
        .order_by(Signature.id)
    )
    return query_csv(SIGNATURE_COLUMNS, query)


def letters_csv(campaign: Campaign, filters: ExportFilter) -> Iterator[str]:
    """The campaign's letters (with their signer's status and place) as CSV text in chunks."""
    query = (
        sa.select(*LETTER_COLUMNS.values())
        .join(Signature, Letter.signature_id == Signature.id)
        .where(
            Letter.campaign_id == campaign.id,
            *_conditions(filters, Letter.created_at, campaign.timezone),
        )
        .order_by(Letter.id)
    )
    return query_csv(LETTER_COLUMNS, query)


def record_export(
    campaign: Campaign, what: str, filters: ExportFilter, organizer: Organizer
) -> None:
    """Log who exported what, before the first byte leaves."""
    with unit_of_work():
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


def _conditions(filters: ExportFilter, created_at: sa.ColumnElement, timezone: str) -> list:
    """Filters as SQL; the dates are days in the campaign's time zone, as the workspace
    shows them (the stored times are UTC)."""
    conditions = []
    if filters.status:
        conditions.append(Signature.status == filters.status)
    if filters.state:
        conditions.append(Signature.state == filters.state.upper())
    since = _day_start(filters.since, timezone)
    if since:
        conditions.append(created_at >= since)
    day_after = _day_start(filters.until, timezone, later=timedelta(days=1))
    if day_after:
        conditions.append(created_at < day_after)
    return conditions


def _day_start(day: date | None, timezone: str, later: timedelta = timedelta(0)) -> datetime | None:
    """When a day (or the one `later` days after it) begins in timezone, in UTC; None for
    no day, or one past the end of the calendar."""
    try:
        return to_utc(datetime.combine(day + later, time.min), timezone) if day else None
    except (CampaignError, OverflowError):
        return None


def query_csv(columns: dict, query: sa.Select) -> Iterator[str]:
    """Stream a query's rows as CSV under the columns' names, from a server-side cursor.

    A generator, so the query runs only once the response streams: by then the view has
    committed (the audit event), which would close a cursor opened earlier.
    """
    rows = db.session.execute(query.execution_options(yield_per=BATCH))
    yield from csv_chunks(columns, rows.partitions())
