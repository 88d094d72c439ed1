"""Supporter records in OSDI's shapes, shared by the API's pages and webhook events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.urls import external_url


def iso(moment: datetime | None) -> str | None:
    """A stored (naive UTC) time as ISO 8601 with its Z."""
    return moment.isoformat() + "Z" if moment else None


def _person(name: str, email: str | None, **address: str) -> dict[str, Any]:
    given, _, family = name.partition(" ")
    return {
        "given_name": given,
        "family_name": family,
        "email_addresses": [{"address": email, "primary": True}] if email else [],
        "postal_addresses": [{**address, "country": "US"}],
    }


def links(slug: str) -> dict[str, Any]:
    """A record's `_links` for a campaign: built once per page, not once per row."""
    return {"osdi:petition": {"href": external_url("api_v1.campaign", slug=slug)}}


def signature(row, links: dict[str, Any]) -> dict[str, Any]:
    """A signature (an ORM row or a query's row with its columns) with its person."""
    return {
        "identifiers": [f"chorus:{row.id}"],
        "id": row.id,
        "status": row.status,
        "created_date": iso(row.created_at),
        "confirmed_date": iso(row.confirmed_at),
        "source": row.source,
        "consent_updates": row.consent_updates,
        "review_reason": row.review_reason,
        "person": _person(
            row.name,
            row.email,
            postal_code=row.zip,
            region=row.state,
            congressional_district=row.district,
        ),
        "_links": links,
    }


def letter(row, links: dict[str, Any]) -> dict[str, Any]:
    """A letter with its signer's person (a query's row of letter and signature columns)."""
    return {
        "identifiers": [f"chorus:letter:{row.id}"],
        "id": row.id,
        "signature_id": row.signature_id,
        "status": row.status,
        "created_date": iso(row.created_at),
        "subject": row.subject,
        "body": row.body,
        "edited": row.edited,
        "public_comment": row.public_comment,
        "moderation": row.moderation,
        "person": _person(
            row.name, row.email, region=row.state, congressional_district=row.district
        ),
        "_links": links,
    }
