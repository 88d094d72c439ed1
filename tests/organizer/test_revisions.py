"""Explainer history in the workspace: a public text change needs a reason and is kept."""

import re

from app.extensions import db
from app.models import Role
from tests.factories import make_campaign
from tests.organizer.test_campaigns import _post
from tests.test_revisions import _revisions


def test_a_public_text_change_needs_a_reason_and_is_kept_with_its_author(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign(slug="stop-removals", explainer="## What\n\nOld fact [1].\n")
    path = f"/organizer/campaigns/{campaign.id}/edit"

    refused = _post(client, path, explainer="## What\n\nNew fact [1].\n")
    assert "Say in one line why the public text changed." in refused.get_data(as_text=True)
    db.session.refresh(campaign)
    assert "Old fact" in campaign.explainer
    assert _revisions(campaign.id) == []

    saved = _post(client, path, explainer="## What\n\nNew fact [1].\n", reason="Corrected a fact.")
    assert saved.status_code == 302
    before, after = _revisions(campaign.id)
    assert "Old fact" in before.text["explainer"] and before.author_id is None
    assert after.reason == "Corrected a fact." and after.author_id == client.organizer.id
    db.session.refresh(campaign)
    assert campaign.last_updated == after.created_at.date()

    page = client.get("/c/stop-removals/changes").get_data(as_text=True)
    assert "Corrected a fact." in page and "Edited by the campaign’s organizers" in page
    assert re.search(r"<del>.*Old.*</del>\s*<ins>.*New.*</ins>", page)


def test_changes_outside_the_public_text_need_no_reason(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign(slug="stop-removals")
    form = client.get(f"/organizer/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert "Why the public text changed" in form
    same_text = {
        "title": campaign.title,
        "summary": campaign.summary,
        "explainer": campaign.explainer,
        "sources": "A source | Publisher |  | https://example.org",
        "letter_subject": "",
        "letter_body": "",
        "goal": "750",
    }
    response = _post(client, f"/organizer/campaigns/{campaign.id}/edit", **same_text)
    assert response.status_code == 302
    db.session.refresh(campaign)
    assert campaign.goal == 750
    assert _revisions(campaign.id) == []


def test_a_source_pack_file_survives_an_edit_in_the_workspace(login):
    client = login(Role.ORGANIZER)
    source = {"title": "Report", "publisher": "Unknown", "note": "Undated.", "file": "000_a.txt"}
    campaign = make_campaign(slug="stop-removals", sources=[source])
    form = client.get(f"/organizer/campaigns/{campaign.id}/edit").get_data(as_text=True)
    lines = re.search(r'<textarea[^>]*name="sources"[^>]*>\s*(.*?)</textarea>', form, re.S)
    response = _post(
        client,
        f"/organizer/campaigns/{campaign.id}/edit",
        title=campaign.title,
        summary=campaign.summary,
        explainer=campaign.explainer,
        sources=lines.group(1).strip(),
        letter_subject="",
        letter_body="",
    )
    assert response.status_code == 302
    db.session.refresh(campaign)
    assert campaign.sources == [source]
