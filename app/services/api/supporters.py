"""Supporter data for an API key with the `supporters:read` scope: signatures and letters,
in OSDI's shapes, a page at a time and streamed.

Pages are keyset-paginated on the id (the cursor is the last id a page held), so page 500
costs what page 1 does; rows come from a server-side cursor (yield_per) and each one is
written out as soon as it is read, so a page of any size holds one batch in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import Campaign, Letter, Signature
from app.services.api import osdi
from app.services.api.osdi import iso
from app.services.errors import ChorusError
from app.urls import external_url

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 10_000
BATCH = 2000


class BadPageRequest(ChorusError):
    message = "cursor must be an id from a next link, since an ISO 8601 time, limit 1 to 10000."


@dataclass(frozen=True)
class PageRequest:
    """Which rows a page holds: after the cursor's id, created at or after `since`."""

    after_id: int = 0
    since: datetime | None = None
    limit: int = DEFAULT_PAGE_SIZE

    @classmethod
    def parse(cls, cursor: str | None, since: str | None, limit: str | None) -> PageRequest:
        """From a request's query string; BadPageRequest when a value makes no sense."""
        try:
            after_id = int(cursor) if cursor else 0
            moment = datetime.fromisoformat(since.replace("Z", "+00:00")) if since else None
            size = int(limit) if limit else DEFAULT_PAGE_SIZE
        except ValueError as error:
            raise BadPageRequest() from error
        if moment is not None and moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)  # stored times are naive UTC
        if after_id < 0 or after_id > 2**63 - 1 or not 1 <= size <= MAX_PAGE_SIZE:
            raise BadPageRequest()
        return cls(after_id, moment, size)

    def query_args(self, after_id: int) -> dict[str, str]:
        args = {"cursor": str(after_id), "limit": str(self.limit)}
        if self.since is not None:
            args["since"] = iso(self.since) or ""
        return args


_SIGNATURE_COLUMNS = (
    Signature.id,
    Signature.status,
    Signature.name,
    Signature.email,
    Signature.zip,
    Signature.state,
    Signature.district,
    Signature.consent_updates,
    Signature.source,
    Signature.review_reason,
    Signature.created_at,
    Signature.confirmed_at,
)


def signatures_page(campaign: Campaign, page: PageRequest) -> Iterator[str]:
    """A page of the campaign's signatures as HAL JSON text in chunks."""
    query = (
        sa.select(*_SIGNATURE_COLUMNS)
        .where(Signature.campaign_id == campaign.id, Signature.id > page.after_id)
        .order_by(Signature.id)
        .limit(page.limit)
    )
    if page.since is not None:
        query = query.where(Signature.created_at >= page.since)
    return _stream("api_v1.signatures", "osdi:signatures", campaign, page, query, osdi.signature)


def letters_page(campaign: Campaign, page: PageRequest) -> Iterator[str]:
    """A page of the campaign's letters (with their signer) as HAL JSON text in chunks."""
    query = (
        sa.select(
            Letter.id,
            Letter.signature_id,
            Letter.subject,
            Letter.body,
            Letter.edited,
            Letter.public_comment,
            Letter.moderation,
            Letter.created_at,
            Signature.status,
            Signature.name,
            Signature.email,
            Signature.state,
            Signature.district,
        )
        .join(Signature, Letter.signature_id == Signature.id)
        .where(Letter.campaign_id == campaign.id, Letter.id > page.after_id)
        .order_by(Letter.id)
        .limit(page.limit)
    )
    if page.since is not None:
        query = query.where(Letter.created_at >= page.since)
    return _stream("api_v1.letters", "chorus:letters", campaign, page, query, osdi.letter)


def _stream(endpoint, relation, campaign, page, query, represent) -> Iterator[str]:
    """Write a page as `{"_embedded": {relation: [...]}, "_links": {...}}`, row by row.

    A generator, so the query runs only once the response streams.
    """
    yield f'{{"_embedded": {{"{relation}": ['
    last_id, count, record_links = None, 0, osdi.links(campaign.slug)
    rows = db.session.execute(query.execution_options(yield_per=BATCH))
    for batch in rows.partitions():
        chunk = []
        for row in batch:
            chunk.append(("," if count else "") + json.dumps(represent(row, record_links)))
            last_id, count = row.id, count + 1
        yield "".join(chunk)
    links = {"self": {"href": external_url(endpoint, slug=campaign.slug)}}
    if count == page.limit:
        next_args = page.query_args(last_id)
        links["next"] = {"href": external_url(endpoint, slug=campaign.slug, **next_args)}
    yield f'], "count": {count}}}, "_links": {json.dumps(links)}}}'
