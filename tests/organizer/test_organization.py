"""The organization profile and the petition fields of the campaign form."""

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Role
from app.services.campaigns import revisions
from tests.factories import make_campaign
from tests.helpers import csrf_token

PETITION = "To the Secretary of Homeland Security:\n\nWe ask you to publish the agreements."


def test_without_a_sponsor_the_site_organization_runs_the_campaign(app, login):
    admin = login(Role.ADMIN)
    token = csrf_token(admin, "/organizer/organization")
    response = admin.post(
        "/organizer/organization",
        data={
            "csrf_token": token,
            "name": "Civic Letters Project",
            "contact_address": "1 Main St\nSpringfield, IL 62701",
            "contact_email": "hello@civic.example",
            "website": "https://civic.example",
            "privacy_contact": "privacy@civic.example",
        },
    )
    assert response.status_code == 302
    campaign = make_campaign(petition=PETITION)
    page = app.test_client().get(f"/c/{campaign.slug}").get_data(as_text=True)
    assert "Run by Civic Letters Project." in page
    assert "1 Main St, Springfield, IL 62701" in page  # the footer
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "organization.edit"))
    assert "contact_address" in event.detail["fields"]


def test_only_admins_set_the_organization(login):
    organizer = login(Role.ORGANIZER)
    assert organizer.get("/organizer/organization").status_code == 403


def test_organizer_edits_the_petition_and_sponsor(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    page = client.get(f"/organizer/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert 'data-preview-target="petition-preview"' in page
    data = {
        "csrf_token": csrf_token(client, f"/organizer/campaigns/{campaign.id}/edit"),
        "title": campaign.title,
        "slug": campaign.slug,
        "goal": "100",
        "timezone": "America/New_York",
        "collects_signatures": "y",
        "petition": PETITION,
        "sponsor": "Friends of Due Process",
        "retention_days": "90",
        "reason": "Stated what the petition asks.",
    }
    assert client.post(f"/organizer/campaigns/{campaign.id}/edit", data=data).status_code == 302
    db.session.refresh(campaign)
    assert campaign.petition == PETITION
    assert campaign.sponsor == "Friends of Due Process"
    assert campaign.retention_days == 90
    # The petition is public text: its change is kept with the reason given.
    latest = revisions.revisions(campaign)[0]
    assert latest.reason == "Stated what the petition asks."
    assert latest.text["petition"] == PETITION
