"""Organizers' text is cleaned as citizens' is: no control, bidi or zero-width characters
reach a page or an email header."""

import sqlalchemy as sa

from app.extensions import db
from app.models import Campaign, CampaignStatus, Role, Target
from app.services.delivery.sending import drain
from tests.helpers import csrf_token, sign_via_form

HOSTILE = "\x07Stop\x1b[31m \u202eremovals\u200b\x7f"


def test_a_campaign_title_with_control_characters_is_cleaned_and_its_email_goes_out(login, outbox):
    client = login(Role.ORGANIZER)
    path = "/organizer/campaigns/new"
    data = {
        "title": HOSTILE,
        "slug": "stop-removals",
        "summary": "Short\x00 summary\u2066.",
        "explainer": "## What\x0b\n\nA fact\u200b.",
        "sources": "Order\x1b | Court\u202e | 2025 | https://example.org/order",
        "goal": "500",
        "thresholds": "100 | First\x07 hundred",
        "timezone": "America/New_York",
        "collects_signatures": "y",
        "letter_subject": "Please\r\nBcc: x@example.org act",
        "letter_body": "Dear\x08 representative,",
        "csrf_token": csrf_token(client, path),
    }
    assert client.post(path, data=data).status_code == 302
    campaign = db.session.scalar(sa.select(Campaign))
    assert campaign.title == "Stop [31m removals"
    assert campaign.summary == "Short summary."
    assert campaign.explainer == "## What\n\nA fact."
    assert campaign.sources == [
        {"title": "Order", "publisher": "Court", "date": "2025", "url": "https://example.org/order"}
    ]
    assert campaign.thresholds == [{"count": 100, "label": "First hundred"}]
    assert campaign.letter_subject == "Please Bcc: x@example.org act"
    assert campaign.letter_body == "Dear representative,"

    campaign.status = CampaignStatus.OPEN
    db.session.commit()
    sign_via_form(client, campaign.slug)
    assert drain() == 1
    [message] = outbox
    assert "Stop [31m removals" in message.subject


def test_a_title_of_invisible_characters_only_is_refused(login):
    client = login(Role.ORGANIZER)
    path = "/organizer/campaigns/new"
    data = {"title": "\u200b\x07", "slug": "blank", "goal": "10", "timezone": "UTC"}
    response = client.post(path, data={**data, "csrf_token": csrf_token(client, path)})
    assert "A campaign needs a title." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Campaign)) == 0


def test_a_custom_targets_name_and_title_are_cleaned(login):
    client = login(Role.ORGANIZER)
    path = "/organizer/targets/new"
    data = {"name": "Kristi\x1b Noem\u202e", "title": "Secretary\u200b\x07 of DHS"}
    client.post(path, data={**data, "csrf_token": csrf_token(client, path)})
    target = db.session.scalar(sa.select(Target))
    assert (target.name, target.title) == ("Kristi Noem", "Secretary of DHS")
