"""SendGrid's signed Event Webhook: only genuine, fresh batches move deliveries, once."""

from __future__ import annotations

import base64
import json
import time

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app.extensions import db
from app.models import Delivery, DeliveryKind, DeliveryStatus, ProviderEvent, Suppression
from app.services.delivery import outbox
from app.services.delivery.sending import drain
from tests.factories import make_campaign
from tests.helpers import sign_via_form

URL = "/webhooks/sendgrid"


def public_key_text(private_key: ec.EllipticCurvePrivateKey) -> str:
    """The public key as SendGrid shows it: base64 DER, no PEM armour."""
    der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


SENDGRID_KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_KEY = ec.generate_private_key(ec.SECP256R1())


def signed(body: bytes, key=SENDGRID_KEY, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    signature = key.sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    return {
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
        "X-Twilio-Email-Event-Webhook-Timestamp": stamp,
        "Content-Type": "application/json",
    }


@pytest.fixture
def webhook_app(make_app):
    app = make_app(SENDGRID_WEBHOOK_PUBLIC_KEY=public_key_text(SENDGRID_KEY))
    with app.app_context():
        yield app


@pytest.fixture
def client(webhook_app):
    return webhook_app.test_client()


def sent_rows(n: int) -> list[Delivery]:
    rows = []
    for i in range(n):
        row = outbox.enqueue(DeliveryKind.CONFIRMATION, f"test:{i}", f"person{i}@example.org")
        row.status = DeliveryStatus.SENT
        row.provider_message_id = f"msg{i}"
        rows.append(row)
    db.session.commit()
    return rows


def event(kind: str, row: Delivery, n: int, **fields) -> dict:
    return {
        "event": kind,
        "email": row.recipient,
        "timestamp": int(time.time()),
        "sg_event_id": f"evt-{kind}-{row.id}-{n}",
        "sg_message_id": f"{row.provider_message_id}.filter0001.16648.5515E0B88.0",
        "delivery_id": str(row.id),
        **fields,
    }


def post(client, events: list[dict], **sign_options):
    body = json.dumps(events).encode()
    return client.post(URL, data=body, headers=signed(body, **sign_options))


def status_of(row: Delivery) -> str:
    db.session.expire_all()
    return db.session.get(Delivery, row.id).status


def test_signed_events_move_deliveries_and_suppress_dead_addresses(client):
    delivered, bounced, spam, deferred, blocked = sent_rows(5)
    response = post(
        client,
        [
            event("processed", delivered, 1),
            event("delivered", delivered, 2),
            event("bounce", bounced, 1, type="bounce", reason="550 5.1.1 no such user"),
            event("delivered", spam, 1),
            event("spamreport", spam, 2),
            event("deferred", deferred, 1, response="421 try later"),
            event("bounce", blocked, 1, type="blocked", reason="IP on a blocklist"),
            event("open", delivered, 3),
        ],
    )
    assert response.status_code == 200
    assert response.json == {"received": 8, "applied": 6, "duplicates": 0, "ignored": 2}
    assert status_of(delivered) == DeliveryStatus.DELIVERED
    assert status_of(bounced) == DeliveryStatus.BOUNCED
    assert db.session.get(Delivery, bounced.id).last_error == "550 5.1.1 no such user"
    assert status_of(spam) == DeliveryStatus.SPAM
    assert status_of(deferred) == DeliveryStatus.DEFERRED
    assert status_of(blocked) == DeliveryStatus.BOUNCED
    suppressed = set(db.session.scalars(sa.select(Suppression.email)))
    assert suppressed == {bounced.recipient, spam.recipient}


def test_late_deferred_event_does_not_undo_delivered(client):
    [row] = sent_rows(1)
    post(client, [event("delivered", row, 1)])
    post(client, [event("deferred", row, 2)])
    assert status_of(row) == DeliveryStatus.DELIVERED


def test_event_without_custom_arg_is_matched_by_message_id_and_address(client):
    first, second = sent_rows(2)
    second.provider_message_id = first.provider_message_id  # one batched request
    db.session.commit()
    anonymous = event("delivered", second, 1)
    del anonymous["delivery_id"]
    post(client, [anonymous])
    assert (status_of(first), status_of(second)) == (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)


def test_duplicate_events_are_ignored(client):
    [row] = sent_rows(1)
    batch = [event("deferred", row, 1)]
    assert post(client, batch).json["applied"] == 1
    # The row moves on; SendGrid then posts the same batch again.
    db.session.execute(
        sa.update(Delivery).where(Delivery.id == row.id).values(status=DeliveryStatus.SENT)
    )
    db.session.commit()
    again = post(client, batch + batch)
    assert again.json == {"received": 2, "applied": 0, "duplicates": 1, "ignored": 0}
    assert status_of(row) == DeliveryStatus.SENT
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProviderEvent)) == 1


@pytest.mark.parametrize(
    "forge",
    ["tampered body", "wrong key", "stale timestamp", "future timestamp", "no signature"],
)
def test_forged_or_replayed_requests_are_refused_and_change_nothing(client, forge):
    [row] = sent_rows(1)
    body = json.dumps([event("bounce", row, 1, type="bounce")]).encode()
    headers = signed(body)
    if forge == "tampered body":
        body = body.replace(b"bounce", b"spamreport")
    elif forge == "wrong key":
        headers = signed(body, key=OTHER_KEY)
    elif forge == "stale timestamp":
        headers = signed(body, timestamp=int(time.time()) - 3600)
    elif forge == "future timestamp":
        headers = signed(body, timestamp=int(time.time()) + 3600)
    else:
        del headers["X-Twilio-Email-Event-Webhook-Signature"]
    response = client.post(URL, data=body, headers=headers)
    assert response.status_code == 403
    assert status_of(row) == DeliveryStatus.SENT
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Suppression)) == 0


def test_webhook_is_refused_when_no_public_key_is_configured(app):
    body = b"[]"
    response = app.test_client().post(URL, data=body, headers=signed(body))
    assert response.status_code == 403


def test_a_thousand_events_are_applied_in_one_quick_request(client):
    rows = sent_rows(1000)
    events = [event("delivered", row, 1) for row in rows]
    started = time.monotonic()
    response = post(client, events)
    elapsed = time.monotonic() - started
    assert response.json["applied"] == 1000
    counts = db.session.execute(
        sa.select(Delivery.status, sa.func.count()).group_by(Delivery.status)
    ).all()
    assert [tuple(c) for c in counts] == [(DeliveryStatus.DELIVERED, 1000)]
    assert elapsed < 5, f"1000 events took {elapsed:.2f}s"


def test_confirmation_to_a_bounced_address_is_suppressed_for_organizers_to_see(client):
    [row] = sent_rows(1)
    post(client, [event("bounce", row, 1, type="bounce")])
    campaign = make_campaign()
    sign_via_form(client, campaign.slug, email=row.recipient.upper())
    sent_before = len(client.application.extensions["chorus_mail"].outbox)
    drain()
    confirmation = db.session.scalar(sa.select(Delivery).where(Delivery.campaign_id == campaign.id))
    assert confirmation.status == DeliveryStatus.SUPPRESSED
    assert len(client.application.extensions["chorus_mail"].outbox) == sent_before


@pytest.mark.parametrize("kind", [["bounce"], {"x": 1}, 7, None])
def test_an_event_whose_kind_is_not_a_string_is_ignored_not_a_server_error(client, kind):
    [row] = sent_rows(1)
    response = post(client, [event("bounce", row, 1, event=kind), event("delivered", row, 2)])
    assert response.status_code == 200
    assert response.json["ignored"] == 1
    assert status_of(row) == DeliveryStatus.DELIVERED


def test_an_event_whose_address_disagrees_with_its_delivery_suppresses_neither(client):
    [row] = sent_rows(1)
    bounce = event("bounce", row, 1, type="bounce", email="someone.else@example.org")
    assert post(client, [bounce]).status_code == 200
    assert db.session.scalars(sa.select(Suppression.email)).all() == []
