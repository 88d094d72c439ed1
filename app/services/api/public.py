"""The public API's resources: campaigns, their counts, tallies, milestones and responses.

Everything here is already public on the campaign page; nothing names or addresses a
signer. Counts come from the counting job's columns and tallies, never COUNT(*).
Resources carry HAL `_links`, named after OSDI's where one fits (a campaign is OSDI's
petition; `osdi:signatures` is its signatures, readable with a key).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import Campaign, CampaignStatus, CampaignTally
from app.services.api.osdi import iso
from app.services.campaigns.milestones import milestones_of
from app.services.campaigns.page import published_responses
from app.urls import external_url


def public_campaign(slug: str) -> Campaign | None:
    """The campaign with this slug if the public may see it (not a draft)."""
    return db.session.scalar(
        sa.select(Campaign).where(Campaign.slug == slug, Campaign.status != CampaignStatus.DRAFT)
    )


def campaigns() -> dict[str, Any]:
    """Every public campaign, newest first."""
    rows = db.session.scalars(
        sa.select(Campaign)
        .where(Campaign.status != CampaignStatus.DRAFT)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
    ).all()
    return {
        "total_records": len(rows),
        "_links": {"self": {"href": external_url("api_v1.campaigns")}},
        "_embedded": {"campaigns": [campaign(c) for c in rows]},
    }


def campaign(campaign: Campaign) -> dict[str, Any]:
    """One campaign: its public text, state and counts."""
    slug = campaign.slug
    return {
        "identifiers": [f"chorus:{slug}"],
        "slug": slug,
        "title": campaign.title,
        "summary": campaign.summary,
        "petition_text": campaign.petition,
        "status": campaign.status,
        "open": campaign.is_open(),
        "opens_at": iso(campaign.opens_at),
        "closes_at": iso(campaign.closes_at),
        "goal": campaign.goal,
        "signature_count": campaign.signature_count,
        "letter_count": campaign.letter_count,
        "counted_at": iso(campaign.counted_at),
        "browser_url": external_url("public.campaign", slug=slug),
        "_links": {
            "self": {"href": external_url("api_v1.campaign", slug=slug)},
            "chorus:tallies": {"href": external_url("api_v1.tallies", slug=slug)},
            "chorus:milestones": {"href": external_url("api_v1.milestones", slug=slug)},
            "chorus:responses": {"href": external_url("api_v1.responses", slug=slug)},
            "osdi:signatures": {"href": external_url("api_v1.signatures", slug=slug)},
        },
    }


def tallies(campaign: Campaign) -> dict[str, Any]:
    """Confirmed signatures by state and by congressional district, as last counted."""
    rows = db.session.execute(
        sa.select(CampaignTally.state, CampaignTally.district, CampaignTally.count)
        .where(CampaignTally.campaign_id == campaign.id, CampaignTally.count > 0)
        .order_by(CampaignTally.state, CampaignTally.district)
    ).all()
    states: dict[str, int] = {}
    for state, _, count in rows:
        states[state] = states.get(state, 0) + count
    return {
        "slug": campaign.slug,
        "signature_count": campaign.signature_count,
        "counted_at": iso(campaign.counted_at),
        "by_state": [{"state": s, "count": n} for s, n in states.items()],
        "by_district": [{"state": s, "district": d, "count": n} for s, d, n in rows],
        "_links": {"self": {"href": external_url("api_v1.tallies", slug=campaign.slug)}},
    }


def milestones(campaign: Campaign) -> dict[str, Any]:
    """The campaign's thresholds in order, each with when it was reached (or null)."""
    return {
        "slug": campaign.slug,
        "milestones": [
            {
                "count": m.count,
                "label": m.label,
                "reached_at": iso(m.reached_at),
                "next": m.is_next,
            }
            for m in milestones_of(campaign)
        ],
        "_links": {"self": {"href": external_url("api_v1.milestones", slug=campaign.slug)}},
    }


def responses(campaign: Campaign) -> dict[str, Any]:
    """Official responses from representatives, newest first."""
    return {
        "slug": campaign.slug,
        "responses": [
            {
                "id": r.id,
                "body": r.body,
                "author_name": r.author_name,
                "posted_at": iso(r.created_at),
                "target": {
                    "name": r.target.name,
                    "title": r.target.title,
                    "state": r.target.state,
                    "district": r.target.district,
                },
            }
            for r in published_responses(campaign)
        ],
        "_links": {"self": {"href": external_url("api_v1.responses", slug=campaign.slug)}},
    }
