"""The petition's statement, who runs it, the privacy page, and erasure after closing."""

from datetime import timedelta

import sqlalchemy as sa

from app.clock import utcnow
from app.extensions import db
from app.models import AuditEvent, CampaignStatus, Letter, Signature
from app.services.delivery.sending import drain
from app.services.signing import retention
from app.services.signing.counting import count_signatures
from tests.factories import make_campaign, make_signature
from tests.helpers import sign_via_form

PETITION = "To the Secretary of Homeland Security:\n\nWe ask you to publish the agreements."


def test_campaign_page_shows_the_petition_its_sponsor_and_a_privacy_link(client):
    campaign = make_campaign(petition=PETITION, sponsor="Friends of Due Process")
    page = client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    statement = page.index("We ask you to publish the agreements.")
    assert statement < page.index('<form method="post"')
    assert "Run by Friends of Due Process." in page
    assert 'href="/privacy"' in page


def test_confirmation_email_carries_the_petition_and_who_runs_it(client, outbox):
    campaign = make_campaign(petition=PETITION, sponsor="Friends of Due Process")
    sign_via_form(client, campaign.slug)
    drain()
    (message,) = outbox
    assert "We ask you to publish the agreements." in message.text
    assert "We ask you to publish the agreements." in message.html
    assert "http://chorus.test/privacy" in message.text


def test_privacy_page_lists_what_is_stored_and_each_campaigns_retention(client):
    make_campaign(title="Kept a while", retention_days=30)
    make_campaign(title="Kept until erased")
    page = " ".join(client.get("/privacy").get_data(as_text=True).split())
    for datum in retention.PERSONAL_DATA:
        assert datum.what in page
    assert "Kept a while: signers' personal data is erased 30 days after it closes." in page
    assert "Kept until erased" in page and "kept until you withdraw" in page
    assert "addresses we never email again" in page


def _closed(days_ago: int, **fields):
    return make_campaign(
        status=CampaignStatus.CLOSED, closed_at=utcnow() - timedelta(days=days_ago), **fields
    )


def test_personal_data_is_erased_once_the_retention_period_after_closing_has_passed(app):
    due = _closed(31, retention_days=30)
    not_yet = _closed(10, retention_days=30)
    open_one = make_campaign(retention_days=0)
    for campaign in (due, not_yet, open_one):
        signature = make_signature(campaign, ip_hash="abc", consent_updates=True)
        db.session.add(
            Letter(
                signature_id=signature.id,
                campaign_id=campaign.id,
                subject="Please act",
                body="My words.",
            )
        )
    db.session.commit()
    count_signatures()

    assert retention.erase_due() == [due.slug]
    assert retention.erase_due() == []  # once

    erased = db.session.scalar(sa.select(Signature).where(Signature.campaign_id == due.id))
    db.session.refresh(erased)
    assert (erased.name, erased.email, erased.zip, erased.ip_hash) == ("", None, "", "")
    assert (erased.state, erased.district) == ("NY", "12")  # tallies still add up
    assert erased.letter.body == "" and erased.letter.subject == ""
    db.session.refresh(due)
    assert due.signature_count == 1 and due.personal_data_erased_at is not None
    kept = db.session.scalars(sa.select(Signature).where(Signature.campaign_id != due.id)).all()
    assert all(s.email and s.letter.body == "My words." for s in kept)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "campaign.erase_personal_data")
    )
    assert event.subject_id == due.id and event.detail["signatures"] == 1
