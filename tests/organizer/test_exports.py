"""Streamed CSV exports of signatures and letters, with filters, audited."""

import csv
import io
from datetime import datetime

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Role, SignatureStatus
from tests.factories import make_campaign, make_signature
from tests.helpers import csrf_token
from tests.organizer.helpers import make_letter


def _rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def _export(client, url: str, **filters):
    """Press a download button on the exports page: a POST, since each export is logged."""
    page = url.rsplit("/", 1)[0]
    return client.post(url, data={**filters, "csrf_token": csrf_token(client, page)})


def test_signature_export_streams_only_this_campaign_with_filters(login):
    client = login(Role.ORGANIZER)
    campaign, other = make_campaign(), make_campaign()
    make_signature(campaign, name="Ann Lee", state="CA", created_at=datetime(2026, 1, 2, 10))
    make_signature(campaign, name="Bo Chan", state="NY", created_at=datetime(2026, 1, 9, 10))
    make_signature(campaign, name="Cy Dee", state="CA", confirmed=False)
    make_signature(other, name="Not Mine", state="CA")
    url = f"/organizer/campaigns/{campaign.id}/exports/signatures.csv"

    everything = _export(client, url)
    assert everything.status_code == 200
    assert everything.is_streamed
    assert everything.mimetype == "text/csv"
    assert "attachment" in everything.headers["Content-Disposition"]
    assert [r["name"] for r in _rows(everything)] == ["Ann Lee", "Bo Chan", "Cy Dee"]

    confirmed_ca = _rows(_export(client, url, status="confirmed", state="ca"))
    assert [r["name"] for r in confirmed_ca] == ["Ann Lee"]
    assert confirmed_ca[0]["email"].endswith("@example.org")
    window = _rows(_export(client, url, since="2026-01-09", until="2026-01-09"))
    assert [r["name"] for r in window] == ["Bo Chan"]
    until_the_end = _rows(_export(client, url, since="2026-01-09", until="9999-12-31"))
    assert [r["name"] for r in until_the_end] == ["Bo Chan", "Cy Dee"]
    assert _export(client, url, since="yesterday").status_code == 400

    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert len(events) == 5 - 1  # the refused one is not an export
    assert events[1].detail["status"] == "confirmed" and events[1].detail["state"] == "ca"


def test_export_dates_are_days_in_the_campaigns_time_zone(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign(timezone="America/New_York")
    # 21:00 on January 9 in New York is 02:00 on January 10 in UTC.
    make_signature(campaign, name="Late Evening", created_at=datetime(2026, 1, 10, 2))
    make_signature(campaign, name="Next Morning", created_at=datetime(2026, 1, 10, 14))
    url = f"/organizer/campaigns/{campaign.id}/exports/signatures.csv"
    ninth = _rows(_export(client, url, since="2026-01-09", until="2026-01-09"))
    assert [(r["name"], r["created_at_utc"]) for r in ninth] == [
        ("Late Evening", "2026-01-10 02:00:00")
    ]


def test_letter_export_includes_text_and_signer_place_and_defuses_formulas(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    signature = make_signature(campaign, name="Ann Lee", state="TX", district="7")
    make_letter(signature, subject='=HYPERLINK("http://evil")', body='Line one,\nline "two"')
    withdrawn = make_signature(campaign, status=SignatureStatus.WITHDRAWN, name="")
    make_letter(withdrawn, subject="", body="")
    url = f"/organizer/campaigns/{campaign.id}/exports/letters.csv"
    rows = _rows(_export(client, url))
    assert len(rows) == 2
    assert rows[0]["subject"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["body"] == 'Line one,\nline "two"'
    assert (rows[0]["state"], rows[0]["district"], rows[0]["status"]) == ("TX", "7", "confirmed")
    only_confirmed = _rows(_export(client, url, status="confirmed"))
    assert len(only_confirmed) == 1


def test_unknown_export_kind_is_refused(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    url = f"/organizer/campaigns/{campaign.id}/exports/passwords.csv"
    assert _export(client, url).status_code == 400


def test_an_export_is_a_post_so_a_link_from_another_site_cannot_log_one(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    url = f"/organizer/campaigns/{campaign.id}/exports/signatures.csv"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 400, "no CSRF token"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
    assert _export(client, url).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 1


def test_exports_stay_header_and_rows_and_name_the_petition_text_beside_them(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign(title="Keep the clinic", petition='=HYPERLINK("x") Keep it open.')
    make_signature(campaign, name="Ann Lee")
    statement_url = f"/organizer/campaigns/{campaign.id}/exports/petition.txt"
    for what in ("signatures", "letters"):
        response = _export(client, f"/organizer/campaigns/{campaign.id}/exports/{what}.csv")
        assert response.get_data(as_text=True).startswith("id,")
        assert response.headers["Link"] == (
            f'<{statement_url}>; rel="describedby"; type="text/plain"'
        )
    statement = client.get(statement_url)
    assert statement.status_code == 200
    assert statement.headers["Content-Disposition"] == (
        f'attachment; filename="petition-{campaign.slug}.txt"'
    )
    assert statement.get_data(as_text=True).endswith('\n=HYPERLINK("x") Keep it open.\n')
    page = client.get(f"/organizer/campaigns/{campaign.id}/exports").get_data(as_text=True)
    assert statement_url in page
