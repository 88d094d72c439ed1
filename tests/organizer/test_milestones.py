"""Milestones and delivering the petition: recorded once, followed up once, counted exactly."""

from __future__ import annotations

import csv
import io
import re
import threading

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import (
    Campaign,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Letter,
    Milestone,
    Organizer,
    Role,
    Signature,
    SignatureStatus,
    TargetKind,
)
from app.services import tokens
from app.services.delivery.sending import drain
from app.services.signing import signatures
from app.services.signing.counting import count_signatures
from app.services.targets.petition import deliver_petition
from tests.factories import make_campaign, make_signature, make_target

PETITION = "To the members of Congress:\n\nWe ask you to hold hearings."
THRESHOLDS = [
    {"count": 20, "label": "Delivered to every member of Congress"},
    {"count": 1000, "label": "Presented in person"},
]


def _campaign(**fields) -> Campaign:
    values = {
        "petition": PETITION,
        "thresholds": THRESHOLDS,
        "target_kinds": [TargetKind.US_SENATE, TargetKind.US_HOUSE],
    }
    return make_campaign(**{**values, **fields})


def _targets():
    return {
        "ny_senator": make_target(
            kind=TargetKind.US_SENATE, name="Sen NY", state="NY", email="sen@ny.example"
        ),
        "ca_senator": make_target(kind=TargetKind.US_SENATE, name="Sen CA", state="CA"),
        "ny12": make_target(
            kind=TargetKind.US_HOUSE,
            name="Rep NY-12",
            state="NY",
            district="12",
            email="ny12@house.example",
        ),
        "ny10": make_target(
            kind=TargetKind.US_HOUSE,
            name="Rep NY-10",
            state="NY",
            district="10",
            email="ny10@house.example",
        ),
    }


def _organizer() -> Organizer:
    organizer = Organizer(email="lead@example.org", password_hash="x", role=Role.ORGANIZER)
    db.session.add_all(
        [organizer, Organizer(email="viewer@example.org", password_hash="x", role=Role.VIEWER)]
    )
    db.session.commit()
    return organizer


def _exact_constituents(campaign_id: int, state: str, district: str | None = None) -> int:
    conditions = [
        Signature.campaign_id == campaign_id,
        Signature.status == SignatureStatus.CONFIRMED,
        Signature.state == state,
    ]
    if district is not None:
        conditions.append(Signature.district == district)
    return db.session.scalar(sa.select(sa.func.count()).where(*conditions))


def _kinds(kind: str) -> list[Delivery]:
    db.session.rollback()
    return db.session.scalars(sa.select(Delivery).where(Delivery.kind == kind)).all()


PLACES = [("NY", "12"), ("NY", "10"), ("CA", "33"), ("NY", "12")]


@pytest.mark.postgres
def test_crossing_a_milestone_while_signers_confirm_and_counters_race_follows_up_once(app, outbox):
    campaign = _campaign()
    targets = _targets()
    _organizer()
    # 15 counted already (10 of them want updates); 16 confirm at once while 4 counters run.
    for i in range(15):
        state, district = PLACES[i % 4]
        make_signature(
            campaign, state=state, district=district, consent_updates=i < 10, zip=f"1{i:04d}"
        )
    count_signatures()
    pending = [
        make_signature(campaign, confirmed=False, state=s, district=d) for s, d in (PLACES * 4)
    ]
    links = [tokens.make_token(tokens.CONFIRM, s.id, s.email) for s in pending]
    campaign_id = campaign.id
    barrier = threading.Barrier(len(links) + 4)
    errors = []

    def confirm(token: str) -> None:
        with app.app_context():
            barrier.wait()
            try:
                signatures.confirm(token)
            except Exception as error:
                errors.append(error)

    def count() -> None:
        with app.app_context():
            barrier.wait()
            for _ in range(5):
                try:
                    count_signatures()
                except Exception as error:
                    errors.append(error)

    threads = [threading.Thread(target=confirm, args=(t,)) for t in links]
    threads += [threading.Thread(target=count) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    count_signatures()

    db.session.rollback()
    (milestone,) = db.session.scalars(sa.select(Milestone)).all()
    assert (milestone.campaign_id, milestone.threshold) == (campaign_id, 20)
    assert milestone.count_at_reach >= 20
    (notice,) = _kinds(DeliveryKind.MILESTONE_NOTICE)
    assert notice.recipient == "lead@example.org"  # organizers, not viewers
    supporter_mails = _kinds(DeliveryKind.MILESTONE)
    consenting = db.session.scalars(
        sa.select(Signature.id).where(Signature.consent_updates.is_(True))
    ).all()
    assert sorted(d.signature_id for d in supporter_mails) == sorted(consenting)
    packets = {d.target_id: d for d in _kinds(DeliveryKind.PACKET)}
    assert sorted(packets) == sorted(t.id for t in targets.values())
    assert packets[targets["ca_senator"].id].status == DeliveryStatus.HELD

    drain()
    sent = {m.to.split("<")[-1].rstrip(">"): m for m in outbox}
    expected = {
        "sen@ny.example": _exact_constituents(campaign_id, "NY"),
        "ny12@house.example": _exact_constituents(campaign_id, "NY", "12"),
        "ny10@house.example": _exact_constituents(campaign_id, "NY", "10"),
    }
    assert expected["ny12@house.example"] == 15  # 7 counted before, 8 confirmed racing
    total = db.session.scalar(
        sa.select(sa.func.count()).where(Signature.status == SignatureStatus.CONFIRMED)
    )
    assert total == 31
    for address, constituents in expected.items():
        message = sent[address]
        assert f"31 signatures, {constituents} from your constituents" in message.subject
        pdf, signers_csv = message.attachments
        assert pdf.content.startswith(b"%PDF")
        rows = list(csv.DictReader(io.StringIO(signers_csv.content.decode())))
        assert len(rows) == constituents
    assert len([m for m in outbox if m.category == DeliveryKind.MILESTONE]) == 10
    assert len([m for m in outbox if m.category == DeliveryKind.MILESTONE_NOTICE]) == 1


def test_a_milestone_is_recorded_once_even_when_the_count_dips_and_crosses_again(app):
    campaign = _campaign(thresholds=[{"count": 2, "label": "Two"}])
    first, second = make_signature(campaign), make_signature(campaign)
    count_signatures()
    second.status = SignatureStatus.WITHDRAWN
    db.session.commit()
    count_signatures()
    make_signature(campaign)
    count_signatures()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Milestone)) == 1
    assert first.id != second.id


def test_campaign_page_lists_milestones_reached_and_next(client):
    campaign = _campaign()
    for _ in range(20):
        make_signature(campaign)
    count_signatures()
    page = " ".join(client.get(f"/c/{campaign.slug}").get_data(as_text=True).split())
    reached = db.session.scalar(sa.select(Milestone))
    assert (
        '<li class="reached"> <strong>20 signatures</strong>: Delivered to every member of '
        f'Congress <span class="hint">reached <time datetime="{reached.reached_at.date()}">'
    ) in page
    assert '<li class="next"> <strong>1,000 signatures</strong>: Presented in person' in page
    assert "next: 980 to go" in page


def test_constituent_list_shows_an_email_only_where_the_signer_agreed_to_a_reply(app):
    campaign = _campaign()
    target = make_target(kind=TargetKind.US_HOUSE, state="NY", district="12")
    agreed = make_signature(campaign, name="Ann Agreed", email="ann@example.org")
    make_signature(campaign, name="Bo Private", email="bo@example.org")
    db.session.add(
        Letter(
            signature_id=agreed.id, campaign_id=campaign.id, subject="s", body="b", reply_to_ok=True
        )
    )
    db.session.commit()
    from app.services.targets.petition import signers_csv

    rows = list(csv.DictReader(io.StringIO(signers_csv(campaign, target))))
    assert rows == [
        {"name": "Ann Agreed", "zip": "10001", "district": "NY-12", "email": "ann@example.org"},
        {"name": "Bo Private", "zip": "10001", "district": "NY-12", "email": ""},
    ]


def test_deliver_now_asks_first_then_queues_one_packet_per_target(app, login):
    client = login(Role.ORGANIZER)
    campaign = _campaign()
    targets = _targets()
    make_signature(campaign, state="CA", district="33")
    page = client.get(f"/organizer/campaigns/{campaign.id}/deliver").get_data(as_text=True)
    assert "3 target(s) get it by email; 1 without an address" in page
    assert _kinds(DeliveryKind.PACKET) == []  # nothing until the button is pressed
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/organizer/campaigns/{campaign.id}/deliver", data={"csrf_token": token}
    )
    assert response.status_code == 302
    packets = _kinds(DeliveryKind.PACKET)
    assert sorted(p.target_id for p in packets) == sorted(t.id for t in targets.values())
    held = [p for p in packets if p.status == DeliveryStatus.HELD]
    assert [p.target_id for p in held] == [targets["ca_senator"].id]

    from app.services.targets.access import create_access

    link = create_access(targets["ca_senator"])
    office = app.test_client()
    index = " ".join(office.get(f"/r/{link}").get_data(as_text=True).split())
    assert "Petitions delivered to you" in index
    assert "<strong>1 from your constituents</strong>" in index
    pdf = office.get(f"/r/{link}/petitions/{campaign.slug}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    signers = office.get(f"/r/{link}/petitions/{campaign.slug}.csv").get_data(as_text=True)
    assert len(signers.strip().splitlines()) == 2  # header and the one Californian
    other = create_access(make_target(kind=TargetKind.US_SENATE, state="TX"))
    assert office.get(f"/r/{other}/petitions/{campaign.slug}.pdf").status_code == 404


def test_the_offices_signers_csv_names_the_petition_text_beside_it(app):
    campaign = _campaign(title="Keep the clinic")
    senator = make_target(kind=TargetKind.US_SENATE, name="Sen CA", state="CA")
    make_signature(campaign, name="=cmd|' /C calc'!A0", state="CA", district="33")
    deliver_petition(campaign, "test")
    db.session.commit()

    from app.services.targets.access import create_access

    link = create_access(senator)
    office = app.test_client()
    signers = office.get(f"/r/{link}/petitions/{campaign.slug}.csv")
    lines = signers.get_data(as_text=True).splitlines()
    assert lines[0] == "name,zip,district,email", "the CSV starts with its header"
    assert lines[1].startswith("'=cmd"), "a formula-like cell is defused"
    statement_url = f"/r/{link}/petitions/{campaign.slug}.txt"
    assert signers.headers["Link"] == f'<{statement_url}>; rel="describedby"; type="text/plain"'
    statement = office.get(statement_url)
    assert statement.mimetype == "text/plain"
    assert "attachment" in statement.headers["Content-Disposition"]
    text = statement.get_data(as_text=True)
    assert text.startswith("Keep the clinic\nRun by: ")
    assert PETITION in text
    index = office.get(f"/r/{link}").get_data(as_text=True)
    assert statement_url in index


def test_a_packet_for_congress_is_held_with_its_reason_even_where_cwc_is_on(app, login):
    # CWC carries one constituent's message (docs/cwc.md): a petition never goes through it.
    app.config.update(CWC_SENATE=True, CWC_API_URL="http://127.0.0.1:9/m", CWC_API_KEY="k")
    campaign = _campaign()
    senator = make_target(kind=TargetKind.US_SENATE, name="Sen CA", state="CA")
    deliver_petition(campaign, "test")
    db.session.commit()
    [packet] = _kinds(DeliveryKind.PACKET)
    assert (packet.target_id, packet.status, packet.channel) == (
        senator.id,
        DeliveryStatus.HELD,
        "email",
    )
    page = login(Role.ORGANIZER).get(f"/organizer/campaigns/{campaign.id}/deliver")
    text = " ".join(page.get_data(as_text=True).split())
    assert "Sen CA, Official: Congress publishes no email address, and its CWC system" in text
