"""Workspace pages as a new organizer reads them: menus, order, labels, times, the log."""

import re
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Delivery, DeliveryKind, DeliveryStatus, Moderation, Role
from app.services import audit
from tests.factories import make_campaign, make_signature, make_target
from tests.organizer.helpers import make_letter


def test_the_time_zone_menu_offers_us_zones_first_and_no_junk(login):
    client = login(Role.ORGANIZER)
    page = client.get("/organizer/campaigns/new").get_data(as_text=True)
    menu = re.search(r'<select[^>]*name="timezone".*?</select>', page, re.S).group(0)
    zones = re.findall(r'<option[^>]*value="([^"]+)"', menu)
    assert zones[:3] == ["America/New_York", "America/Chicago", "America/Denver"]
    assert "Europe/Paris" in zones and "Asia/Tokyo" in zones
    for junk in ("Factory", "EST5EDT", "Etc/GMT+5", "US/Eastern", "posixrules", "GMT"):
        assert junk not in zones
    assert len(zones) < 500  # of ~600 in the database


def test_targets_list_districts_in_numeric_order(login):
    client = login(Role.VIEWER)
    for district in ("10", "2", "1"):
        make_target(kind="us_house", state="AK", district=district, name=f"Rep {district}")
    page = client.get("/organizer/targets?state=AK").get_data(as_text=True)
    positions = [page.index(f"Rep {d}<") for d in ("1", "2", "10")]
    assert positions == sorted(positions)


def test_analytics_names_kinds_of_email_in_words_and_the_legend_makes_sense(login):
    client = login(Role.VIEWER)
    campaign = make_campaign()
    signature = make_signature(campaign, state="IL", district="5")
    db.session.add(
        Delivery(
            kind=DeliveryKind.LETTER_NOT_TAKEN,
            dedupe_key="n:1",
            campaign_id=campaign.id,
            signature_id=signature.id,
            recipient="x@example.org",
            status=DeliveryStatus.SPAM,
        )
    )
    db.session.commit()
    page = client.get(f"/organizer/campaigns/{campaign.id}/analytics").get_data(as_text=True)
    assert "letter_not_taken" not in page and "spam_reported" not in page
    assert "Notices: a second letter not taken" in page and "spam reported" in page
    assert "up to 1" not in page and "1 confirmed signature" in page


def test_workspace_times_are_in_the_campaigns_zone_and_say_so(login, frozen_clock):
    client = login(Role.ORGANIZER)
    campaign = make_campaign(timezone="America/Chicago")
    letter = make_letter(make_signature(campaign), moderation=Moderation.PENDING)
    letter.created_at = datetime(2026, 7, 1, 15, 30)
    db.session.commit()
    page = client.get(f"/organizer/campaigns/{campaign.id}/moderation").get_data(as_text=True)
    assert "2026-07-01 10:30 (America/Chicago)" in page
    assert "15:30 UTC" not in page


def test_a_403_keeps_the_workspace_navigation(login):
    client = login(Role.VIEWER)
    response = client.get("/organizer/users")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert 'aria-label="Workspace"' in page and "Log out" in page


def test_the_audit_log_filters_pages_and_reads_as_words(login, make_organizer):
    client = login(Role.ADMIN)
    other = make_organizer(Role.ORGANIZER, "other@example.org")
    campaign = make_campaign()
    for n in range(60):
        audit.record(other, "campaign.update", campaign, fields=[f"title {n}"])
    audit.record(client.organizer, "campaign.status", campaign, status=["draft", "open"])
    db.session.commit()
    everything = client.get("/organizer/audit").get_data(as_text=True)
    assert "61 event(s), page 1 of 2" in everything
    assert "draft → open" in everything and '{"status"' not in everything
    mine = client.get(f"/organizer/audit?actor={client.organizer.id}").get_data(as_text=True)
    assert "1 event(s)" in mine and "title 3" not in mine
    updates = client.get("/organizer/audit?action=campaign.update&page=2").get_data(as_text=True)
    assert "60 event(s), page 2 of 2" in updates and "draft → open" not in updates
    today = db.session.scalar(sa.select(AuditEvent.created_at)).date()
    later = client.get(f"/organizer/audit?since={today.replace(year=today.year + 1)}")
    assert "0 event(s)" in later.get_data(as_text=True)
