"""Admins create API keys (shown once, stored hashed) and revoke them, and register
webhook endpoints, in the workspace."""

import hashlib
import re

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiKey, Role, WebhookEndpoint
from app.services.delivery.sending import drain
from app.services.targets import access
from tests.factories import make_campaign, make_target
from tests.helpers import csrf_token


def test_an_admin_creates_a_key_that_is_shown_once_and_stored_hashed(login):
    admin = login(Role.ADMIN)
    page = admin.post(
        "/organizer/api-keys",
        data={
            "name": "CRM sync",
            "scopes": ["supporters:read"],
            "csrf_token": csrf_token(admin, "/organizer/api-keys"),
        },
    ).get_data(as_text=True)
    secret = re.search(r'id="new-key">(chorus_[^<]+)<', page).group(1)
    key = db.session.scalar(sa.select(ApiKey))
    assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in admin.get("/organizer/api-keys").get_data(as_text=True)
    campaign = make_campaign()
    api = admin.application.test_client()
    url = f"/api/v1/campaigns/{campaign.slug}/signatures"
    assert api.get(url, headers={"Authorization": f"Bearer {secret}"}).status_code == 200

    admin.post(
        f"/organizer/api-keys/{key.id}/revoke",
        data={"csrf_token": csrf_token(admin, "/organizer/api-keys")},
    )
    assert api.get(url, headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_only_admins_manage_keys(login):
    organizer = login(Role.ORGANIZER)
    assert organizer.get("/organizer/api-keys").status_code == 403


def test_an_admin_registers_a_webhook_and_reads_its_attempts(login, webhook_receiver):
    admin = login(Role.ADMIN)
    response = admin.post(
        "/organizer/webhooks",
        data={
            "url": webhook_receiver.url,
            "events": ["response.posted"],
            "csrf_token": csrf_token(admin, "/organizer/webhooks"),
        },
    )
    endpoint = db.session.scalar(sa.select(WebhookEndpoint))
    assert response.headers["Location"].endswith(f"/organizer/webhooks/{endpoint.id}")
    webhook_receiver.secret = endpoint.secret
    campaign = make_campaign()
    access.post_response(make_target(), campaign, "Thank you.", "")
    drain()
    page = admin.get(f"/organizer/webhooks/{endpoint.id}").get_data(as_text=True)
    assert endpoint.secret in page
    assert "response.posted" in page and "ok (200)" in page
    assert [e for _, e, ok in webhook_receiver.requests if ok] == ["response.posted"]
