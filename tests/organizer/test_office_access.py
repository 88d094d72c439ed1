"""An office's private link and letter packets, from the target's page in the workspace."""

import csv
import io
import re

import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import AuditEvent, DeliveryStatus, Role, TargetKind
from tests.factories import make_campaign, make_signature, make_target
from tests.helpers import csrf_token
from tests.organizer.helpers import make_delivery, make_letter


def _page(client, target) -> str:
    return client.get(f"/organizer/targets/{target.id}").get_data(as_text=True)


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_page_shows_the_target_id_the_shell_takes(login):
    target = make_target(name="Nancy Pelosi")
    page = _page(login(Role.VIEWER), target)
    assert f"flask targets link {target.id}" in page


def test_an_organizer_creates_a_link_shown_once_that_opens_the_private_page(login, app):
    client = login(Role.ORGANIZER)
    target = make_target(name="Nancy Pelosi", kind=TargetKind.US_HOUSE, state="CA", district="11")
    path = f"/organizer/targets/{target.id}"

    response = client.post(
        f"{path}/link", data={"days": "7", "csrf_token": csrf_token(client, path)}
    )

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    link = re.search(r'id="office-link" class="share" readonly value="([^"]+)"', response.text)
    assert link, "the new link is on the page"
    private_path = link.group(1).removeprefix(app.config["BASE_URL"])
    assert app.test_client().get(private_path).status_code == 200
    assert link.group(1) not in _page(client, target), "shown once, never again"
    assert _actions() == ["target.link"]


def test_a_link_for_too_many_days_is_refused(login):
    client = login(Role.ORGANIZER)
    target = make_target()
    path = f"/organizer/targets/{target.id}"
    token = csrf_token(client, path)
    response = client.post(f"{path}/link", data={"days": "9999", "csrf_token": token})
    assert response.status_code == 400
    assert "office-link" not in response.text and _actions() == []


def test_revoking_ends_every_link_of_the_office_and_is_audited(login, app):
    client = login(Role.ORGANIZER)
    target = make_target()
    path = f"/organizer/targets/{target.id}"
    created = client.post(
        f"{path}/link", data={"days": "7", "csrf_token": csrf_token(client, path)}
    )
    link = re.search(r'readonly value="(http[^"]+/r/[^"]+)"', created.text).group(1)
    private_path = link.removeprefix(app.config["BASE_URL"])

    revoked = client.post(f"{path}/revoke", data={"csrf_token": csrf_token(client, path)})

    assert revoked.status_code == 302
    assert "Revoked 1 live private link(s)" in _page(client, target)
    assert app.test_client().get(private_path).status_code == 404
    assert _actions() == ["target.link", "target.revoke"]


def test_a_viewer_can_neither_create_nor_revoke_links_nor_download_packets(login):
    client = login(Role.VIEWER)
    target = make_target()
    campaign = make_campaign()
    make_delivery(make_letter(make_signature(campaign)), target, DeliveryStatus.SENT)
    base = f"/organizer/targets/{target.id}"
    # A viewer's session token, from a workspace page any viewer may open.
    token = csrf_token(client, f"/organizer/campaigns/{campaign.id}/analytics")
    assert client.post(f"{base}/link", data={"days": "7", "csrf_token": token}).status_code == 403
    assert client.post(f"{base}/revoke", data={"csrf_token": token}).status_code == 403
    packet = client.post(f"{base}/letters/{campaign.id}.pdf", data={"csrf_token": token})
    assert packet.status_code == 403
    assert "Create a private link" not in _page(client, target)


def test_an_organizer_downloads_the_offices_packet_as_pdf_and_csv(login):
    client = login(Role.ORGANIZER)
    target = make_target(name="Nancy Pelosi", kind=TargetKind.US_HOUSE, state="CA", district="11")
    campaign = make_campaign(title="Hearings for all")
    signer = make_signature(campaign, name="Ann Lee", zip="94110", state="CA", district="11")
    letter = make_letter(signer, street_address="123 Valencia St", city="San Francisco")
    make_delivery(letter, target, DeliveryStatus.SENT)
    other = make_campaign()

    page = _page(client, target)
    assert "Hearings for all (1 letter)" in page
    base = f"/organizer/targets/{target.id}/letters"

    token = {"csrf_token": csrf_token(client, f"/organizer/targets/{target.id}")}
    # A download is audited, so it is a POST: a link from another site cannot log one.
    assert client.get(f"{base}/{campaign.id}.pdf").status_code == 405
    pdf = client.post(f"{base}/{campaign.id}.pdf", data=token)
    assert pdf.mimetype == "application/pdf"
    assert "Ann Lee, 123 Valencia St" in PdfReader(io.BytesIO(pdf.data)).pages[1].extract_text()
    csv_text = client.post(f"{base}/{campaign.id}.csv", data=token).text
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert [(r["name"], r["street_address"]) for r in rows] == [("Ann Lee", "123 Valencia St")]
    assert client.post(f"{base}/{other.id}.csv", data=token).status_code == 404
    assert client.post(f"{base}/{campaign.id}.csv").status_code == 400  # no token
    assert _actions() == ["target.packet_pdf", "target.packet_csv"]
