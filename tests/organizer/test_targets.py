"""Targets: search, delivery address and digest, custom targets, letter counts, release."""

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, Delivery, DeliveryStatus, Role, Target, TargetKind
from tests.factories import make_campaign, make_signature, make_target
from tests.helpers import csrf_token
from tests.organizer.helpers import make_delivery, make_letter


def test_search_filters_by_name_kind_state_district_and_active(login):
    client = login(Role.VIEWER)
    make_target(name="Alex Padilla", kind=TargetKind.US_SENATE, state="CA")
    make_target(name="Nancy Pelosi", kind=TargetKind.US_HOUSE, state="CA", district="11")
    make_target(name="Jerry Nadler", kind=TargetKind.US_HOUSE, state="NY", district="12")
    make_target(name="Old Member", kind=TargetKind.US_HOUSE, state="NY", district="3", active=False)

    def names(query: str) -> list[str]:
        page = client.get(f"/organizer/targets?{query}").get_data(as_text=True)
        return [n for n in ("Padilla", "Pelosi", "Nadler", "Old Member") if n in page]

    assert names("state=ca") == ["Padilla", "Pelosi"]
    assert names("kind=us_house&state=NY&district=12") == ["Nadler"]
    assert names("q=pel") == ["Pelosi"]
    assert names("active=no") == ["Old Member"]
    assert names("active=") == ["Padilla", "Pelosi", "Nadler", "Old Member"]
    assert names("page=99999999999999999999") == [], "a page far past the end is empty"


def test_letter_counts_per_target_by_delivery_state(login):
    client = login(Role.VIEWER)
    campaign = make_campaign()
    target = make_target(name="Counted Target", email="t@example.gov")
    statuses = [
        DeliveryStatus.SENT,
        DeliveryStatus.DELIVERED,
        DeliveryStatus.HELD,
        DeliveryStatus.HELD,
        DeliveryStatus.HELD,
        DeliveryStatus.BOUNCED,
        DeliveryStatus.QUEUED,
    ]
    for status in statuses:
        make_delivery(make_letter(make_signature(campaign)), target, status)
    page = client.get(f"/organizer/targets/{target.id}").get_data(as_text=True)
    for label, n in (("Delivered", 2), ("Waiting to send", 1), ("Held", 3), ("Failed", 1)):
        assert f'<span class="label">{label}</span><strong>{n}</strong>' in page, label


def test_setting_an_address_is_validated_and_audited(login):
    client = login(Role.ORGANIZER)
    target = make_target(email="")
    path = f"/organizer/targets/{target.id}"
    token = csrf_token(client, path)
    bad = client.post(f"{path}/delivery", data={"email": "not-an-address", "csrf_token": token})
    assert bad.status_code == 400
    assert "Invalid email address" in bad.get_data(as_text=True)
    db.session.refresh(target)
    assert target.email == ""
    good = client.post(
        f"{path}/delivery",
        data={"email": "Office@Senate.example.gov", "wants_digest": "y", "csrf_token": token},
    )
    assert good.status_code == 302
    db.session.refresh(target)
    assert target.email == "Office@senate.example.gov"
    assert target.email_set_by_organizer and target.wants_digest
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "target.address"))
    assert event.detail == {"email": ["", "Office@senate.example.gov"]}
    assert event.organizer_id == client.organizer.id


def test_releasing_held_letters_queues_them_to_the_new_address(login):
    client = login(Role.ORGANIZER)
    campaign = make_campaign()
    target = make_target(email="")
    other = make_target(email="")
    held = [
        make_delivery(make_letter(make_signature(campaign)), target, DeliveryStatus.HELD)
        for _ in range(3)
    ]
    elsewhere = make_delivery(make_letter(make_signature(campaign)), other, DeliveryStatus.HELD)
    path = f"/organizer/targets/{target.id}"
    token = csrf_token(client, path)
    refused = client.post(f"{path}/release", data={"csrf_token": token}, follow_redirects=True)
    assert "Set a delivery address before releasing" in refused.get_data(as_text=True)
    client.post(f"{path}/delivery", data={"email": "rep@house.example.gov", "csrf_token": token})
    page = client.post(f"{path}/release", data={"csrf_token": token}, follow_redirects=True)
    assert "3 held letter(s) queued for rep@house.example.gov" in page.get_data(as_text=True)
    rows = db.session.execute(
        sa.select(Delivery.status, Delivery.recipient).where(Delivery.id.in_([d.id for d in held]))
    ).all()
    assert rows == [(DeliveryStatus.QUEUED, "rep@house.example.gov")] * 3
    db.session.refresh(elsewhere)
    assert elsewhere.status == DeliveryStatus.HELD


def test_adding_a_custom_target(login):
    client = login(Role.ORGANIZER)
    token = csrf_token(client, "/organizer/targets/new")
    response = client.post(
        "/organizer/targets/new",
        data={
            "name": "Kristi Noem",
            "title": "Secretary of Homeland Security",
            "email": "secretary@example.gov",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    target = db.session.scalar(sa.select(Target))
    assert (target.kind, target.email) == (TargetKind.CUSTOM, "secretary@example.gov")
    assert "Kristi Noem" in client.get("/organizer/targets?kind=custom").get_data(as_text=True)
