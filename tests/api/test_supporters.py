"""Supporter data with a key: pages walked by cursor, signatures recorded like the form's."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.models import (
    ApiKey,
    AuditEvent,
    Delivery,
    DeliveryKind,
    Organizer,
    Scope,
    Signature,
    SignatureStatus,
)
from app.ratelimits import REASON_EMAIL
from app.services.api import keys
from app.services.delivery.sending import drain
from tests.api.helpers import bearer, make_key
from tests.factories import make_campaign, make_signature
from tests.helpers import link_token


def _person(email: str = "ann@example.org", zip_code: str = "10001") -> dict:
    return {
        "person": {
            "given_name": "Ann",
            "family_name": "Lee",
            "email_addresses": [{"address": email}],
            "postal_addresses": [{"postal_code": zip_code}],
        }
    }


def test_a_cursor_walks_every_signature_once_in_order(client):
    campaign = make_campaign()
    ids = [make_signature(campaign).id for _ in range(7)]
    key = bearer(make_key(Scope.SUPPORTERS_READ))
    url, seen = f"/api/v1/campaigns/{campaign.slug}/signatures?limit=3", []
    while url:
        page = client.get(url.removeprefix("http://chorus.test"), headers=key).json
        seen += [s["id"] for s in page["_embedded"]["osdi:signatures"]]
        url = page["_links"].get("next", {}).get("href")
    assert seen == ids
    first = client.get(f"/api/v1/campaigns/{campaign.slug}/signatures", headers=key).json
    person = first["_embedded"]["osdi:signatures"][0]["person"]
    assert person["email_addresses"][0]["address"].endswith("@example.org")


def test_since_keeps_only_signatures_created_from_then(client):
    campaign = make_campaign()
    make_signature(campaign, created_at=utcnow() - timedelta(days=3))
    recent = make_signature(campaign)
    since = (utcnow() - timedelta(days=1)).isoformat() + "Z"
    page = client.get(
        f"/api/v1/campaigns/{campaign.slug}/signatures",
        query_string={"since": since},
        headers=bearer(make_key(Scope.SUPPORTERS_READ)),
    ).json
    assert [s["id"] for s in page["_embedded"]["osdi:signatures"]] == [recent.id]


def test_a_partner_signature_is_pending_until_confirmed_by_email_and_carries_its_source(
    client, outbox
):
    campaign = make_campaign()
    key = bearer(make_key(Scope.SIGNATURES_WRITE))
    url = f"/api/v1/campaigns/{campaign.slug}/signatures"
    assert (
        client.post(url, json=_person() | {"source": "Partner-1"}, headers=key).status_code == 202
    )
    signature = db.session.scalar(sa.select(Signature))
    assert (signature.status, signature.source, signature.state) == ("pending", "partner-1", "NY")
    drain()
    assert outbox[0].to == "Ann Lee <ann@example.org>"
    client.post(f"/confirm/{link_token(outbox[0], 'confirm')}")
    db.session.refresh(signature)
    assert signature.status == SignatureStatus.CONFIRMED


def test_signing_again_through_the_api_answers_alike_and_stores_one_signature(client):
    campaign = make_campaign()
    key = bearer(make_key(Scope.SIGNATURES_WRITE))
    url = f"/api/v1/campaigns/{campaign.slug}/signatures"
    first = client.post(url, json=_person(), headers=key)
    again = client.post(url, json=_person("ANN@example.org"), headers=key)
    assert (first.status_code, first.json) == (again.status_code, again.json)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 1
    confirmations = sa.select(sa.func.count()).where(Delivery.kind == DeliveryKind.CONFIRMATION)
    assert db.session.scalar(confirmations) == 2  # re-sent, as the form does


def test_the_api_runs_the_forms_checks(client):
    campaign = make_campaign()
    key = bearer(make_key(Scope.SIGNATURES_WRITE))
    url = f"/api/v1/campaigns/{campaign.slug}/signatures"
    bad_email = client.post(url, json=_person("not-an-address"), headers=key)
    assert bad_email.status_code == 422
    assert bad_email.json["errors"]["email"] == ["Please enter a valid email address."]
    bad_zip = client.post(url, json=_person(zip_code="1234"), headers=key)
    assert bad_zip.json["errors"]["zip"] == ["Please enter a 5-digit US ZIP code."]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0


def test_the_api_counts_against_the_forms_review_limits(make_app):
    app = make_app(RATELIMIT_REVIEW_EMAIL="1 per hour")
    with app.app_context():
        campaign = make_campaign()
        other = make_campaign()
        key = bearer(make_key(Scope.SIGNATURES_WRITE))
        client = app.test_client()
        for slug in (campaign.slug, other.slug):
            client.post(f"/api/v1/campaigns/{slug}/signatures", json=_person(), headers=key)
        reasons = db.session.scalars(sa.select(Signature.review_reason).order_by(Signature.id))
        assert list(reasons) == ["", REASON_EMAIL]


def test_a_revoked_key_stops_working_and_both_steps_are_audited(client):
    secret = make_key(Scope.SUPPORTERS_READ)
    campaign = make_campaign()
    url = f"/api/v1/campaigns/{campaign.slug}/signatures"
    assert client.get(url, headers=bearer(secret)).status_code == 200
    key = db.session.scalar(sa.select(ApiKey))
    keys.revoke_key(key, db.session.get(Organizer, key.created_by_id))
    assert client.get(url, headers=bearer(secret)).status_code == 401
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id))
    assert list(actions) == ["api_key.create", "api_key.revoke"]
    assert secret not in str(db.session.scalar(sa.select(AuditEvent.detail)))
