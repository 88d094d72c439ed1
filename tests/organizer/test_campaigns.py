"""Campaigns: create, edit with live preview, status draft -> open -> closed, time zones."""

import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Campaign, CampaignStatus, Role
from app.services.signing.counting import count_signatures
from app.services.targets.access import post_response
from tests.factories import make_campaign, make_signature, make_target
from tests.helpers import csrf_token

EXPLAINER = """## What is proposed

A fact with two sources [1, 2] and a [link](https://example.org).

<script>alert("x")</script>

| Country | Status |
|---|---|
| Rwanda | talks [2] |

> "A quote," said an official [1].
"""


def _form(**overrides):
    data = {
        "title": "Stop third-country removals",
        "slug": "stop-removals",
        "summary": "Short summary.",
        "explainer": EXPLAINER,
        "sources": "Order | U.S. District Court | 2025-04-18 | https://example.org/order\n"
        "Report | Reuters | 2025-05-01 | https://example.org/report | via wire",
        "goal": "500",
        "thresholds": "100 | First hundred\n50 | Half way to a hundred",
        "timezone": "America/Los_Angeles",
        "opens_at": "2026-03-01T09:00",
        "closes_at": "",
        "collects_signatures": "y",
        "collects_letters": "y",
        "letter_subject": "Please act",
        "letter_body": "Dear representative,",
        "target_kinds": ["us_senate", "us_house"],
    }
    data.update(overrides)
    return data


def _post(client, path, **overrides):
    data = _form(**overrides)
    data["csrf_token"] = csrf_token(client, path)
    return client.post(path, data=data)


def test_organizer_creates_a_draft_that_is_not_public(login):
    client = login(Role.ORGANIZER)
    response = _post(client, "/organizer/campaigns/new")
    assert response.status_code == 302
    campaign = db.session.scalar(sa.select(Campaign))
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.sources[1] == {
        "title": "Report",
        "publisher": "Reuters",
        "date": "2025-05-01",
        "url": "https://example.org/report",
        "note": "via wire",
    }
    assert [t["count"] for t in campaign.thresholds] == [50, 100]
    assert campaign.target_kinds == ["us_senate", "us_house"]
    # 09:00 in Los Angeles on 1 March (PST, UTC-8) is 17:00 UTC.
    assert campaign.opens_at == datetime(2026, 3, 1, 17, 0)
    assert client.get("/c/stop-removals").status_code == 404
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "campaign.create"))
    assert audit.organizer_id == client.organizer.id


def test_summer_time_is_respected_when_converting_local_times(login):
    client = login(Role.ORGANIZER)
    _post(client, "/organizer/campaigns/new", opens_at="2026-07-01T09:00")
    # Pacific daylight time is UTC-7.
    assert db.session.scalar(sa.select(Campaign.opens_at)) == datetime(2026, 7, 1, 16, 0)
    page = client.get(f"/organizer/campaigns/{db.session.scalar(sa.select(Campaign.id))}")
    assert "2026-07-01 09:00 (America/Los_Angeles)" in page.get_data(as_text=True)


def test_invalid_values_are_explained_and_nothing_is_saved(login):
    client = login(Role.ORGANIZER)
    make_campaign(slug="taken")
    cases = {
        "taken": ("slug", "taken"),
        "must close after it opens": ("closes_at", "2026-02-01T09:00"),
        "slug may use lower-case": ("slug", "Not A Slug"),
        "count must be a number": ("thresholds", "many | Lots"),
        "count must be a number: &#39;²": ("thresholds", "² | Two"),
        "must start with https:// or http://": (
            "sources",
            "Click me | Pub | 2024 | javascript:alert(document.domain)",
        ),
        "Number must be between": ("goal", "99999999999999999999"),
        # Los Angeles is behind UTC: this is in the year 10000 once converted.
        "That date is out of range.": ("closes_at", "9999-12-31T23:00"),
    }
    for message, (field, value) in cases.items():
        response = _post(client, "/organizer/campaigns/new", **{field: value})
        assert message in response.get_data(as_text=True), message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Campaign)) == 1


def test_editing_saves_every_field_and_logs_which_changed(login):
    client = login(Role.ORGANIZER)
    target = make_target(name="Secretary Doe", email="doe@example.gov")
    campaign = make_campaign(slug="old-slug", status=CampaignStatus.DRAFT)
    path = f"/organizer/campaigns/{campaign.id}/edit"
    form_page = client.get(path).get_data(as_text=True)
    assert "old-slug" in form_page
    response = _post(
        client,
        path,
        slug="new-slug",
        collects_comments="y",
        fixed_targets=[str(target.id)],
        letter_prompt="Say why it matters to you.",
    )
    assert response.status_code == 302
    db.session.refresh(campaign)
    assert campaign.slug == "new-slug"
    assert campaign.collects_comments is True
    assert [t.name for t in campaign.fixed_targets] == ["Secretary Doe"]
    assert campaign.letter_prompt == "Say why it matters to you."
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "campaign.edit"))
    assert {"slug", "fixed_target_ids", "collects_comments", "explainer"} <= set(
        event.detail["fields"]
    )


def test_status_goes_draft_open_closed_and_closed_page_says_so(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign(status=CampaignStatus.DRAFT)
    path = f"/organizer/campaigns/{campaign.id}"
    token = csrf_token(client, path)
    assert client.get(f"/c/{campaign.slug}").status_code == 404
    client.post(f"{path}/status", data={"status": "open", "confirmed": "1", "csrf_token": token})
    db.session.refresh(campaign)
    assert campaign.status == CampaignStatus.OPEN
    assert "Sign the petition" in client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    client.post(f"{path}/status", data={"status": "closed", "confirmed": "1", "csrf_token": token})
    db.session.refresh(campaign)
    assert campaign.status == CampaignStatus.CLOSED
    closed = client.get(f"/c/{campaign.slug}")
    assert closed.status_code == 200
    assert "This campaign is closed" in closed.get_data(as_text=True)
    statuses = db.session.scalars(
        sa.select(AuditEvent.detail).where(AuditEvent.action == "campaign.status")
    ).all()
    assert [d["status"] for d in statuses] == [["draft", "open"], ["open", "closed"]]


@pytest.mark.parametrize(
    ("fields", "to", "refusal"),
    [
        ({"status": CampaignStatus.OPEN}, "draft", "cannot become draft"),
        # Past its closing time it would show as open and closed at once.
        (
            {"status": CampaignStatus.CLOSED, "closes_at": datetime(2026, 1, 1)},
            "open",
            "closing time has passed",
        ),
    ],
)
def test_a_status_change_that_makes_no_sense_is_refused(login, fields, to, refusal):
    client = login(Role.ORGANIZER)
    campaign = make_campaign(**fields)
    path = f"/organizer/campaigns/{campaign.id}"
    response = client.post(
        f"{path}/status",
        data={"status": to, "confirmed": "1", "csrf_token": csrf_token(client, path)},
        follow_redirects=True,
    )
    assert refusal in response.get_data(as_text=True)
    db.session.refresh(campaign)
    assert campaign.status == fields["status"]


def test_a_published_campaign_keeps_its_address(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign(slug="shared-slug")
    response = _post(client, f"/organizer/campaigns/{campaign.id}/edit", slug="new-slug")
    assert "keeps its address" in response.get_data(as_text=True)
    assert client.get("/c/shared-slug").status_code == 200


def _public_explainer(page: str) -> str:
    match = re.search(r'<section class="explainer">\s*(.*?)\s*</section>', page, re.S)
    assert match, "no explainer section on the public page"
    return match.group(1)


def test_live_preview_renders_exactly_like_the_public_page(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign(explainer=EXPLAINER)
    token = csrf_token(client, f"/organizer/campaigns/{campaign.id}/edit")
    preview = client.post(
        "/organizer/preview", data={"text": EXPLAINER}, headers={"X-CSRFToken": token}
    )
    assert preview.status_code == 200
    html = preview.json["html"]
    public = _public_explainer(client.get(f"/c/{campaign.slug}").get_data(as_text=True))
    assert html.strip() == public.strip()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="#source-1" aria-label="Source 1">1</a>' in html
    assert "<table>" in html


def test_preview_needs_the_csrf_header(login):
    client = login(Role.ORGANIZER)
    assert client.post("/organizer/preview", data={"text": "# Hi"}).status_code == 400


def test_an_organizer_hides_a_representatives_response(login):
    client = login(Role.ORGANIZER)
    campaign, other = make_campaign(), make_campaign()
    office = make_target(name="Jo Rivera")
    response = post_response(office, campaign, "Posted through a leaked link.", "Someone")
    overview = f"/organizer/campaigns/{campaign.id}"
    assert "Hide this response" in client.get(overview).get_data(as_text=True)
    token = csrf_token(client, overview)
    refused = client.post(
        f"/organizer/campaigns/{other.id}/responses/{response.id}/hide",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "not on this campaign" in refused.get_data(as_text=True)
    assert "leaked link" in client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    hidden = client.post(f"{overview}/responses/{response.id}/hide", data={"csrf_token": token})
    assert hidden.status_code == 302
    assert "leaked link" not in client.get(f"/c/{campaign.slug}").get_data(as_text=True)
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "response.hide")
    ).all()
    assert event.detail == {"response_id": response.id}


def test_a_refused_campaign_shows_the_form_again_with_what_was_typed(login):
    client = login(Role.ORGANIZER)
    make_campaign(slug="taken")
    response = _post(client, "/organizer/campaigns/new", slug="taken", title="My long title")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Another campaign uses the slug" in page
    assert 'value="My long title"' in page


@pytest.mark.parametrize(
    ("start", "to", "says"),
    [
        (CampaignStatus.DRAFT, "open", "Its page becomes public"),
        (CampaignStatus.OPEN, "closed", "stops taking signatures and letters at once"),
    ],
)
def test_opening_or_closing_asks_first_and_says_what_will_happen(login, start, to, says):
    client = login(Role.ORGANIZER)
    campaign = make_campaign(status=start)
    path = f"/organizer/campaigns/{campaign.id}"
    token = csrf_token(client, path)
    ask = client.post(f"{path}/status", data={"status": to, "csrf_token": token})
    page = ask.get_data(as_text=True)
    assert ask.status_code == 200 and says in page and 'name="confirmed"' in page
    db.session.refresh(campaign)
    assert campaign.status == start
    client.post(f"{path}/status", data={"status": to, "confirmed": "1", "csrf_token": token})
    db.session.refresh(campaign)
    assert campaign.status == to


def test_an_organizer_previews_a_draft_as_its_full_public_page_never_cached(login, client):
    campaign = make_campaign(status=CampaignStatus.DRAFT, explainer="## Why it matters\n\nA fact.")
    organizer = login(Role.VIEWER)
    response = organizer.get(f"/organizer/campaigns/{campaign.id}/preview")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Preview" in page and "not public yet" in page and "Why it matters" in page
    assert "no-store" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]
    assert client.get(f"/c/{campaign.slug}").status_code == 404


def test_the_preview_shows_the_signers_and_comments_the_public_page_shows(login):
    campaign = make_campaign(collects_comments=True)
    make_signature(campaign, name="Ada Lovelace", show_publicly=True, counted=False)
    count_signatures()
    response = login(Role.VIEWER).get(f"/organizer/campaigns/{campaign.id}/preview")
    assert response.status_code == 200
    assert "Ada" in response.get_data(as_text=True)
