"""Sharing: source codes on signatures and in analytics, link cards with a live preview
image, and the embeddable form (the one page that may be framed)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from app.extensions import db
from app.models import Signature
from app.services.workspace import analytics
from tests.factories import make_campaign, make_signature
from tests.helpers import sign_via_form


@pytest.mark.parametrize(
    ("given", "stored"),
    [("Newsletter-Dec", "newsletter-dec"), ("<script>", ""), ("x" * 41, ""), ("", "")],
)
def test_the_sign_forms_source_code_is_stored_when_well_formed(client, given, stored):
    campaign = make_campaign()
    sign_via_form(client, campaign.slug, source=given)
    assert db.session.scalar(sa.select(Signature.source)) == stored


def test_analytics_count_signatures_by_source(app):
    campaign = make_campaign()
    make_signature(campaign, source="newsletter")
    make_signature(campaign, source="newsletter", confirmed=False)
    make_signature(campaign)
    make_signature(campaign, source="newsletter", status="withdrawn")
    rows = [(r.source, r.signed, r.confirmed) for r in analytics.by_source(campaign)]
    assert rows == [("newsletter", 2, 1), ("", 1, 1)]


def test_the_campaign_page_has_a_link_card_and_share_controls(client):
    campaign = make_campaign(title="Clean water now")
    html = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert (
        f'<meta property="og:image" content="http://chorus.test/c/{campaign.slug}/preview.png">'
        in html
    )
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'data-share-url="http://chorus.test/c/{campaign.slug}?src=share"' in html
    assert "/static/share.js" in html
    assert "<script>" not in html  # scripts come from static files only


def test_the_preview_image_shows_the_live_count_and_is_cacheable(client):
    campaign = make_campaign(title="Clean water now")
    first = client.get(f"/c/{campaign.slug}/preview.png")
    assert first.mimetype == "image/png"
    assert first.headers["Cache-Control"].startswith("public")
    assert Image.open(io.BytesIO(first.data)).size == (1200, 630)
    campaign.signature_count = 12345
    db.session.commit()
    assert client.get(f"/c/{campaign.slug}/preview.png").data != first.data


def test_only_the_embed_may_be_framed(client, app):
    campaign = make_campaign()
    embed = client.get(f"/c/{campaign.slug}/embed?src=partner")
    assert embed.status_code == 200
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    assert 'data-source=""' in embed.get_data(as_text=True)
    refused = client.post(f"/c/{campaign.slug}/embed/sign", data={"name": "Ann"})
    assert refused.status_code == 400
    assert "frame-ancestors *" in refused.headers["Content-Security-Policy"]
    page = client.get(f"/c/{campaign.slug}")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert client.get("/organizer/login").headers["X-Frame-Options"] == "DENY"


def test_the_embed_signs_without_a_session_and_carries_its_source(client):
    campaign = make_campaign()
    response = client.post(
        f"/c/{campaign.slug}/embed/sign",
        data={"name": "Ann Lee", "email": "ann@example.org", "zip": "10001", "source": "p1"},
    )
    assert response.headers["Location"].endswith(f"/c/{campaign.slug}/embed/thanks")
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    signature = db.session.scalar(sa.select(Signature))
    assert (signature.status, signature.source) == ("pending", "p1")
