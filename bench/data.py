"""Building a bench database: the schema, the first campaign, ZIP districts, bulk signatures."""

from __future__ import annotations

import time

import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.clock import utcnow
from app.extensions import db
from app.models import (
    Campaign,
    CampaignStatus,
    Dataset,
    DatasetKind,
    Signature,
    SignatureStatus,
    ZipDistrict,
)
from app.services.campaigns.content import seed_campaigns
from app.services.targets.datasets import congress_on, congress_start
from bench.web import ROOT, ZIPS
from config import Config


def bench_app(database_url: str) -> Flask:
    """A Chorus app in this process on the bench database (for setup and checks)."""
    config = type(
        "BenchConfig",
        (Config,),
        {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-secret-key"},
    )
    return create_app(config)


def build(database_url: str) -> tuple[Flask, str]:
    """Create the schema, load the first campaign and the bench ZIPs; return (app, slug)."""
    app = bench_app(database_url)
    with app.app_context():
        db.create_all()
        seed_campaigns(ROOT / "content" / "campaigns")
        campaign = db.session.scalar(sa.select(Campaign).order_by(Campaign.id))
        campaign.status = CampaignStatus.OPEN
        campaign.opens_at = campaign.closes_at = None
        campaign.goal = 2_000_000
        congress = congress_on(utcnow().date())
        zips = Dataset(
            kind=DatasetKind.ZIPS,
            congress=congress,
            effective_from=congress_start(congress),
            effective_until=congress_start(congress + 1),
            source="bench",
        )
        db.session.add(zips)
        db.session.flush()
        db.session.add_all(
            ZipDistrict(dataset_id=zips.id, zcta=z, state=s, district=d) for z, s, d in ZIPS
        )
        db.session.execute(
            sa.text(
                "CREATE TABLE bare_signatures (id bigserial PRIMARY KEY, name text NOT NULL,"
                " email text NOT NULL, zip text NOT NULL, created_at timestamp DEFAULT now())"
            )
        )
        db.session.commit()
        return app, campaign.slug


def load_confirmed_signatures(app: Flask, slug: str, n: int, first: int = 1) -> float:
    """Bulk-insert n confirmed signatures numbered from first (their emails are unique by
    number) with generate_series; return the seconds taken."""
    started = time.monotonic()
    with app.app_context():
        campaign_id = db.session.scalar(sa.select(Campaign.id).where(Campaign.slug == slug))
        states = ", ".join(f"'{s}'" for _, s, _ in ZIPS)
        db.session.execute(
            sa.text(
                f"""
                INSERT INTO signatures (campaign_id, status, name, email, email_domain, zip,
                    state, district, consent_updates, show_publicly, ip_hash, review_reason,
                    confirmations_sent, counted, created_at, confirmed_at)
                SELECT :campaign, :confirmed, 'Signer ' || g, 'signer' || g || '@bulk.example',
                    'bulk.example', '10001', (ARRAY[{states}])[1 + g % {len(ZIPS)}],
                    (1 + g % 12)::text, g % 3 = 0, g % 4 = 0, '', '', 1, false,
                    now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval
                FROM generate_series(:first, :first + :n - 1) AS g
                """
            ),
            {
                "campaign": campaign_id,
                "confirmed": SignatureStatus.CONFIRMED,
                "n": n,
                "first": first,
            },
        )
        db.session.commit()
        db.session.execute(sa.text("ANALYZE signatures"))
        db.session.commit()
    return time.monotonic() - started


def signature_rows(app: Flask, email_like: str) -> int:
    """Signature rows whose email matches a LIKE pattern (COUNT(*): for checks only)."""
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Signature)
            .where(Signature.email.like(email_like))
        )
