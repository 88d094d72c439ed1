"""Admins create API keys (shown once, stored hashed) and revoke them in the workspace."""

import hashlib
import re

import sqlalchemy as sa

from app.extensions import db
from app.models import ApiKey, Role
from tests.factories import make_campaign
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
