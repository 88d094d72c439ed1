"""Factories for test data: a campaign, a target, a signature, with sensible defaults."""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.models import (
    Campaign,
    CampaignStatus,
    Dataset,
    DatasetKind,
    Signature,
    SignatureStatus,
    Target,
    TargetKind,
)
from app.services.targets.datasets import congress_on, congress_start

_seq = itertools.count(1)


def make_campaign(**fields) -> Campaign:
    n = next(_seq)
    values = {
        "slug": f"campaign-{n}",
        "title": f"Campaign {n}",
        "summary": "A campaign for tests.",
        "explainer": "## What\n\nA fact [1].\n",
        "sources": [{"title": "A source", "publisher": "Publisher", "url": "https://example.org"}],
        "status": CampaignStatus.OPEN,
        "goal": 100,
    }
    values.update(fields)
    campaign = Campaign(**values)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def make_dataset(
    kind: str = DatasetKind.CONGRESS, congress: int | None = None, **fields
) -> Dataset:
    """The dataset of a kind for a Congress (by default today's), made once and reused."""
    congress = congress or congress_on(utcnow().date())
    starts = fields.pop("effective_from", congress_start(congress))
    dataset = db.session.scalar(
        sa.select(Dataset).filter_by(kind=kind, congress=congress, effective_from=starts)
    )
    if dataset is None:
        dataset = Dataset(
            kind=kind,
            congress=congress,
            effective_from=starts,
            effective_until=congress_start(congress + 1),
            source="tests",
            **fields,
        )
        db.session.add(dataset)
        db.session.commit()
    return dataset


def make_target(**fields) -> Target:
    n = next(_seq)
    values = {"kind": TargetKind.CUSTOM, "name": f"Target {n}", "title": "Official"}
    values.update(fields)
    if values["kind"] in (TargetKind.US_SENATE, TargetKind.US_HOUSE) and "dataset_id" not in values:
        values["dataset_id"] = make_dataset().id
    target = Target(**values)
    db.session.add(target)
    db.session.commit()
    return target


def make_signature(campaign: Campaign, confirmed: bool = True, **fields) -> Signature:
    n = next(_seq)
    values = {
        "campaign_id": campaign.id,
        "name": f"Signer {n}",
        "email": f"signer{n}@example.org",
        "email_domain": "example.org",
        "zip": "10001",
        "state": "NY",
        "district": "12",
        "status": SignatureStatus.CONFIRMED if confirmed else SignatureStatus.PENDING,
        "confirmed_at": utcnow() if confirmed else None,
    }
    values.update(fields)
    signature = Signature(**values)
    db.session.add(signature)
    db.session.commit()
    return signature
