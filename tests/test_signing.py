"""The signing journey through the web: sign, confirm by email, be counted, withdraw."""

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from app.extensions import db
from app.models import CampaignStatus, Delivery, DeliveryStatus, Signature, SignatureStatus
from app.services.delivery.sending import drain
from app.services.letters.places import forget_cached_zips
from app.services.signing.counting import count_signatures, exact_counts
from tests.factories import make_campaign
from tests.helpers import link_token, sign_via_form


def test_signing_sends_a_confirmation_email_and_confirming_counts_the_signature(client, outbox):
    campaign = make_campaign()
    response = sign_via_form(client, campaign.slug)
    assert response.status_code == 302
    assert f"/c/{campaign.slug}/check-email/" in response.headers["Location"]
    assert db.session.scalar(sa.select(Signature.status)) == SignatureStatus.PENDING
    assert drain() == 1
    assert len(outbox) == 1
    assert outbox[0].to == "Ann Lee <ann@example.org>"

    page = client.post(f"/confirm/{link_token(outbox[0], 'confirm')}")
    assert page.status_code == 200
    assert "your signature is confirmed" in page.get_data(as_text=True)
    count_signatures()
    db.session.refresh(campaign)
    assert campaign.signature_count == 1
    assert client.get(f"/c/{campaign.slug}/count.json").json["signatures"] == 1


def test_pending_signature_and_its_email_are_written_together(client):
    campaign = make_campaign()
    sign_via_form(client, campaign.slug)
    signature = db.session.scalar(sa.select(Signature))
    delivery = db.session.scalar(sa.select(Delivery))
    assert delivery.signature_id == signature.id
    assert delivery.status == DeliveryStatus.QUEUED
    assert delivery.recipient == "ann@example.org"


def test_confirming_twice_is_harmless(client, outbox):
    campaign = make_campaign()
    sign_via_form(client, campaign.slug)
    drain()
    token = link_token(outbox[0], "confirm")
    assert client.post(f"/confirm/{token}").status_code == 200
    assert client.post(f"/confirm/{token}").status_code == 200
    count_signatures()
    db.session.refresh(campaign)
    assert campaign.signature_count == 1


def test_second_signature_with_same_email_is_not_counted_and_resends_capped(app, client, outbox):
    campaign = make_campaign()
    first = sign_via_form(client, campaign.slug, email="Ann@Example.org")
    again = [sign_via_form(client, campaign.slug, email=" ann@example.ORG ") for _ in range(4)]
    assert all(r.status_code == 302 for r in again)
    # Each answer is a sealed page token, so they differ only as two first signatures do.
    assert all(len(r.headers["Location"]) == len(first.headers["Location"]) for r in again)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 1
    drain()
    assert len(outbox) == app.config["CONFIRMATION_RESEND_LIMIT"]


def test_signing_again_after_confirming_looks_the_same_and_sends_nothing(client, outbox):
    campaign = make_campaign()
    sign_via_form(client, campaign.slug)
    drain()
    client.post(f"/confirm/{link_token(outbox[0], 'confirm')}")
    response = sign_via_form(client, campaign.slug)
    assert response.status_code == 302
    assert drain() == 0
    assert len(outbox) == 1


def test_withdrawing_erases_personal_data_and_lowers_the_count(client, outbox):
    campaign = make_campaign()
    sign_via_form(client, campaign.slug)
    drain()
    client.post(f"/confirm/{link_token(outbox[0], 'confirm')}")
    count_signatures()
    token = link_token(outbox[0], "withdraw")

    ask = client.get(f"/withdraw/{token}")
    assert ask.status_code == 200, "a GET only asks; link scanners must not withdraw"
    assert db.session.scalar(sa.select(Signature.status)) == SignatureStatus.CONFIRMED

    done = client.post(f"/withdraw/{token}")
    assert done.status_code == 200
    signature = db.session.scalar(sa.select(Signature))
    assert signature.status == SignatureStatus.WITHDRAWN
    assert (signature.name, signature.email, signature.zip, signature.ip_hash) == ("", None, "", "")
    count_signatures()
    db.session.refresh(campaign)
    assert campaign.signature_count == 0
    assert exact_counts(campaign) == (0, 0)
    assert client.post(f"/confirm/{link_token(outbox[0], 'confirm')}").status_code == 400


def test_form_errors_are_shown_beside_fields_and_input_is_kept(client):
    campaign = make_campaign()
    response = sign_via_form(client, campaign.slug, email="not-an-email", name="Zoë Ünïcode")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please enter a valid email address." in page
    assert 'value="Zoë Ünïcode"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0


def test_unknown_zip_gets_a_clear_error(client):
    campaign = make_campaign()
    response = sign_via_form(client, campaign.slug, zip="00000")
    assert response.status_code == 400
    assert "We could not find that ZIP code" in response.get_data(as_text=True)


def test_honeypot_answers_like_success_and_stores_nothing(client):
    campaign = make_campaign()
    response = sign_via_form(client, campaign.slug, website="http://spam.example")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 0


def test_closed_campaign_keeps_its_page_and_refuses_signatures(client):
    campaign = make_campaign(status=CampaignStatus.CLOSED)
    page = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert "This campaign is closed" in page
    assert "<form" not in page.split("This campaign is closed")[0].split('class="act"')[1]


def test_draft_campaign_is_not_public(client):
    campaign = make_campaign(status=CampaignStatus.DRAFT)
    assert client.get(f"/c/{campaign.slug}").status_code == 404
    assert campaign.title not in client.get("/").get_data(as_text=True)


def test_tampered_confirm_link_gets_a_friendly_page(client):
    response = client.get("/confirm/not-a-real-token")
    assert response.status_code == 400
    assert "This link does not work" in response.get_data(as_text=True)


@pytest.mark.postgres
def test_a_signature_holds_one_database_connection_at_a_time(app, client):
    # On PostgreSQL the signature is written on its own autocommit connection: the ZIP
    # look-up's transaction must end first, or a cold ZIP cache doubles the pool's load.
    slug = make_campaign().slug
    db.session.close()  # the test's own reads hold no connection from here on
    forget_cached_zips()
    held: set[int] = set()
    peak = [0]

    def checkout(dbapi_connection, *_):
        held.add(id(dbapi_connection))
        peak[0] = max(peak[0], len(held))

    def checkin(dbapi_connection, *_):
        held.discard(id(dbapi_connection))

    event.listen(db.engine, "checkout", checkout)
    event.listen(db.engine, "checkin", checkin)
    try:
        assert sign_via_form(client, slug).status_code == 302
    finally:
        event.remove(db.engine, "checkout", checkout)
        event.remove(db.engine, "checkin", checkin)
    assert peak[0] == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signature)) == 1


def _confirmed_page(client, token: str) -> str:
    return client.post(f"/confirm/{token}").get_data(as_text=True)


def test_the_confirmed_page_counts_the_new_signature_once_before_and_after_counting(
    client, outbox, frozen_clock
):
    campaign = make_campaign(goal=10)
    for email in ("a@example.org", "b@example.org"):
        sign_via_form(client, campaign.slug, email=email)
    drain()
    first, second = (link_token(m, "confirm") for m in outbox)
    client.post(f"/confirm/{first}")
    count_signatures()
    frozen_clock.advance(5)
    # Confirmed after the count: the stored 1 plus this signature.
    page = _confirmed_page(client, second)
    assert "<strong data-count>2</strong>" in page
    assert 'aria-valuenow="2"' in page and "width: 20%" in page
    frozen_clock.advance(5)
    count_signatures()
    db.session.refresh(campaign)
    assert campaign.signature_count == 2
    # Counted now: the stored count already holds it, so it is not added again.
    assert "<strong data-count>2</strong>" in _confirmed_page(client, second)


def test_the_confirmed_page_offers_writing_with_the_zip_and_sharing(client, outbox):
    campaign = make_campaign(collects_letters=True)
    sign_via_form(client, campaign.slug, zip="10001")
    drain()
    page = _confirmed_page(client, link_token(outbox[0], "confirm"))
    assert f'href="/c/{campaign.slug}/write?zip=10001"' in page
    assert f"/c/{campaign.slug}?src=share" in page
    assert "share.js" in page


def test_the_confirmed_page_offers_no_letter_where_the_campaign_takes_none(client, outbox):
    campaign = make_campaign(collects_letters=False)
    sign_via_form(client, campaign.slug)
    drain()
    page = _confirmed_page(client, link_token(outbox[0], "confirm"))
    assert "/write" not in page
    assert "?src=share" in page
