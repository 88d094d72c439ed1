"""Factories for test data: a campaign, a target, a signature, with sensible defaults."""

from __future__ import annotations

import itertools

from app.clock import utcnow
from app.extensions import db
from app.models import Campaign, CampaignStatus, Signature, SignatureStatus, Target, TargetKind

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


def make_target(**fields) -> Target:
    n = next(_seq)
    values = {"kind": TargetKind.CUSTOM, "name": f"Target {n}", "title": "Official"}
    values.update(fields)
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
